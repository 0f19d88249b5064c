import { randomUUID } from 'node:crypto';
import type { Redis } from '@upstash/redis';
import type { LimitCheck, LimitRuleName } from '../../domain/limits';
import type {
  AdmittedMessage,
  ConnectionDirectory,
  DirectoryFill,
  DirectoryLookup,
  KeyedPush,
  PushLookup,
} from '../../ports/connection-directory';
import type { ConnectionRecord } from '../../ports/connection-store';
import type { RateDecision, RateLimit } from '../../ports/rate-limiter';
import { HotStateError } from './agent-presence';
import { connectionsOfRows, encodeEntry, FILL_WINDOW_MS } from './directory-entries';
import { DIRECTORY_ADD, DIRECTORY_ADMIT, DIRECTORY_FILL, PUSH_LOOKUP, PUSH_REMEMBER } from './scripts';

export interface UpstashConnectionDirectoryOptions {
  readonly redis: () => Promise<Redis>;
  /** The same table the rate limiter is built from: `admit` counts on the same keys. */
  readonly limits: Readonly<Record<LimitRuleName, RateLimit>>;
  /** How long a user's entry lives after its last fill or connect: at least the longest connection. */
  readonly entrySeconds: number;
  /** Directory keys are `${prefix}dir:...`. */
  readonly prefix?: string;
  /** The rate limiter's prefix: counters are `${ratePrefix}${rule}:${key}:${window}` (@upstash/ratelimit's keys). */
  readonly ratePrefix?: string;
  readonly now?: () => number;
  /** How long a queue-position lookup or remember waits for Redis before the router goes on without it. */
  readonly pushTimeoutMs?: number;
}

/** How long a conversation's participant list is remembered after its last change. */
export const HINT_SECONDS = 24 * 3600;
/** How long the last frame sent under a push key is remembered (a queue wait longer than this is told again). */
export const PUSHED_SECONDS = 24 * 3600;
const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * `call`'s value, or 'timeout' when it takes longer than `ms`. A late failure after the
 * timeout answered is nobody's to handle: the Upstash client's retries (about 4 s against
 * an unreachable Redis) must not hold a caller that has a fallback.
 */
async function within<T>(call: Promise<T>, ms: number): Promise<T | 'timeout'> {
  call.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message.slice(0, 200) : 'unknown error');
const LIST_SEPARATOR = '\n';

/**
 * Users' live connections in Upstash Redis beside the rate-limit counters (scripts.ts,
 * docs/connection-directory.md). A user is either known (its hash has '#') or not, and only
 * a fill carrying the token its lookup was given marks it known.
 */
export class UpstashConnectionDirectory implements ConnectionDirectory {
  private readonly prefix: string;
  private readonly ratePrefix: string;
  /** Counters found over their limit, until their window resets: a flood costs no Redis calls (as @upstash/ratelimit's ephemeral cache). */
  private readonly blocked = new Map<string, number>();

  constructor(private readonly options: UpstashConnectionDirectoryOptions) {
    this.prefix = options.prefix ?? 'parley:';
    this.ratePrefix = options.ratePrefix ?? 'parley:rl:';
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async run<T>(what: string, call: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await call(await this.options.redis());
    } catch (error) {
      throw new HotStateError(`Redis ${what} failed`, { cause: error });
    }
  }

  async admit(checks: readonly LimitCheck[], conversationId: string): Promise<AdmittedMessage> {
    const now = this.now();
    const counters = checks.map((check) => {
      const { limit, windowSeconds } = this.options.limits[check.rule];
      const windowMs = windowSeconds * 1000;
      const identifier = `${this.ratePrefix}${check.rule}:${check.key}`;
      const window = Math.floor(now / windowMs);
      return {
        identifier,
        limit,
        windowMs,
        reset: (window + 1) * windowMs,
        keys: [`${identifier}:${window}`, `${identifier}:${window - 1}`],
      };
    });
    const cachedBlock = counters.map((counter) => {
      const until = this.blocked.get(counter.identifier);
      if (until !== undefined && until <= now) this.blocked.delete(counter.identifier);
      return until !== undefined && until > now ? until : undefined;
    });
    if (cachedBlock.some((until) => until !== undefined)) {
      // Refused anyway: no counting and no recipients (a rate limiter's blocked key costs nothing either).
      return {
        decisions: cachedBlock.map((until) =>
          until === undefined ? { outcome: 'allowed' } : { outcome: 'limited', retryAfterMs: Math.max(1, until - now) },
        ),
      };
    }
    const timeoutMs = Math.max(
      DEFAULT_TIMEOUT_MS,
      ...checks.map((check) => this.options.limits[check.rule].timeoutMs ?? DEFAULT_TIMEOUT_MS),
    );
    const token = randomUUID();
    try {
      const call = this.run('admit', (redis) =>
        redis.eval<string[], unknown[]>(
          DIRECTORY_ADMIT,
          counters.flatMap((counter) => counter.keys),
          [
            this.prefix,
            conversationId,
            String(now),
            token,
            String(FILL_WINDOW_MS),
            ...counters.flatMap((counter) => [String(counter.limit), String(counter.windowMs)]),
          ],
        ),
      );
      const reply = await within(call, timeoutMs);
      if (reply === 'timeout') return unknownDecisions(checks, 'Redis did not answer in time');
      const [remaining, ...rows] = reply as [unknown[], ...unknown[][]];
      const decisions = counters.map((counter, index): RateDecision => {
        if (Number(remaining[index]) >= 0) return { outcome: 'allowed' };
        this.blocked.set(counter.identifier, counter.reset);
        return { outcome: 'limited', retryAfterMs: Math.max(1, counter.reset - now) };
      });
      return { decisions, recipients: this.lookupOf(conversationId, rows) };
    } catch (error) {
      return unknownDecisions(checks, reasonOf(error));
    }
  }

  private lookupOf(conversationId: string, rows: readonly unknown[][]): DirectoryLookup {
    const { known, fillTokens, users } = connectionsOfRows(rows);
    return { known, fillTokens, hinted: users, conversationId };
  }

  async fill(lookup: DirectoryLookup, participants: readonly string[], fills: readonly DirectoryFill[]): Promise<void> {
    const sameHint = participants.length === lookup.hinted.length && participants.every((id) => lookup.hinted.includes(id));
    await this.runFill(lookup.conversationId, sameHint ? '' : participants.join(LIST_SEPARATOR), fills);
  }

  fillUsers(fills: readonly DirectoryFill[]): Promise<void> {
    return this.runFill('', '', fills);
  }

  private async runFill(conversationId: string, participants: string, fills: readonly DirectoryFill[]): Promise<void> {
    const tokened = fills.filter((fill) => fill.token);
    if (participants === '' && tokened.length === 0) return;
    const args = [this.prefix, conversationId, participants, String(HINT_SECONDS), String(this.options.entrySeconds)];
    for (const fill of tokened) {
      args.push(fill.userId, fill.token ?? '', String(fill.connections.length));
      for (const connection of fill.connections) args.push(connection.connectionId, encodeEntry(connection));
    }
    await this.run('fill', (redis) => redis.eval<string[], number>(DIRECTORY_FILL, [], args));
  }

  async add(connection: ConnectionRecord): Promise<string | undefined> {
    const token = await this.run('add', (redis) =>
      redis.eval<string[], string>(
        DIRECTORY_ADD,
        [],
        [
          this.prefix,
          connection.userId,
          connection.connectionId,
          encodeEntry(connection),
          String(this.options.entrySeconds),
          randomUUID(),
          String(FILL_WINDOW_MS),
        ],
      ),
    );
    return token ? String(token) : undefined;
  }

  async lookupPushes(pushes: readonly KeyedPush[]): Promise<PushLookup | undefined> {
    if (pushes.length === 0) return { unchanged: new Set(), known: new Map(), fillTokens: new Map() };
    const args = [this.prefix, randomUUID(), String(FILL_WINDOW_MS)];
    for (const push of pushes) args.push(push.userId, push.key, push.digest, push.force ? '1' : '0');
    let rows: unknown[][] | 'timeout';
    try {
      rows = await within(
        this.run('push lookup', (redis) => redis.eval<string[], unknown[][]>(PUSH_LOOKUP, [], args)),
        this.pushTimeoutMs(),
      );
    } catch {
      return undefined;
    }
    if (rows === 'timeout') return undefined;
    const unchanged = new Set<string>();
    const userRows: unknown[][] = [];
    for (const row of rows) {
      if (Number(row[1]) === 1) unchanged.add(String(row[0]));
      else userRows.push(row.slice(2));
    }
    const { known, fillTokens } = this.lookupOf('', userRows);
    return { unchanged, known, fillTokens };
  }

  async rememberPushes(sent: readonly Pick<KeyedPush, 'key' | 'digest'>[], fills: readonly DirectoryFill[]): Promise<void> {
    const remembering =
      sent.length === 0
        ? undefined
        : this.run('push remember', (redis) =>
            redis.eval<string[], number>(
              PUSH_REMEMBER,
              [],
              [this.prefix, String(PUSHED_SECONDS), ...sent.flatMap((push) => [push.key, push.digest])],
            ),
          );
    const done = await within(Promise.all([remembering, this.fillUsers(fills)]), this.pushTimeoutMs());
    if (done === 'timeout') throw new HotStateError('Redis push remember did not answer in time');
  }

  private pushTimeoutMs(): number {
    return this.options.pushTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    await this.run('remove', (redis) => redis.hdel(`${this.prefix}dir:${userId}`, connectionId));
  }
}

function unknownDecisions(checks: readonly LimitCheck[], reason: string): AdmittedMessage {
  return { decisions: checks.map(() => ({ outcome: 'unknown', reason })) };
}
