/** Where the local stack's one-line notices go (the console unless a test listens). */
export type NoticeLog = (line: string) => void;

const toConsole: NoticeLog = (line) => console.error(line);

/** redis://user:secret@host:6379/0 -> redis://host:6379/0: the notice never shows a password. */
export function redactedRedisUrl(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return 'Redis';
  }
}

/**
 * Says once that Redis went away and once that it came back, however many connection errors
 * and failed commands lie between: a Redis outage must not flood the console.
 */
export class RedisHealthReporter {
  private reachable = true;
  private failuresWhileDown = 0;

  constructor(
    private readonly where: string,
    private readonly log: NoticeLog = toConsole,
  ) {}

  get isReachable(): boolean {
    return this.reachable;
  }

  unreachable(reason: string): void {
    if (!this.reachable) {
      this.failuresWhileDown++;
      return;
    }
    this.reachable = false;
    this.failuresWhileDown = 1;
    this.log(`local stack: Redis unreachable (${this.where}): ${reason}. Redis commands fail until it is back.`);
  }

  back(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.log(`local stack: Redis back (${this.where}) after ${this.failuresWhileDown} connection failure(s).`);
  }
}
