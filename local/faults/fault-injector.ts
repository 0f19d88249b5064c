import { NO_FAULTS, type FaultSettings } from './fault-settings';
import { seededRandom } from './random';

/** How many times each fault actually fired. */
export interface FaultCounts {
  disconnectsDropped: number;
  postsGone: number;
  postsLimitExceeded: number;
  postsDelayed: number;
  dynamoThrottled: number;
  sqsDuplicated: number;
  connectionsKilled: number;
  secretsFailed: number;
}

export type PostVerdict = 'deliver' | 'gone' | 'limit-exceeded';

/** No fault injected yet (a fresh tally; also what a run against an external stack reports). */
export const zeroCounts = (): FaultCounts => ({
  disconnectsDropped: 0,
  postsGone: 0,
  postsLimitExceeded: 0,
  postsDelayed: 0,
  dynamoThrottled: 0,
  sqsDuplicated: 0,
  connectionsKilled: 0,
  secretsFailed: 0,
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one source of fault decisions for every injection point in the local stack. Settings
 * can change while the stack runs (control endpoint, tests); counts say what really happened.
 */
export class FaultInjector {
  private current: FaultSettings;
  private tally: FaultCounts = zeroCounts();
  private readonly random: () => number;

  constructor(initial: Partial<FaultSettings> = {}, seed = Date.now()) {
    this.current = { ...NO_FAULTS, ...initial };
    this.random = seededRandom(seed);
  }

  get settings(): FaultSettings {
    return this.current;
  }

  update(change: Partial<FaultSettings>): FaultSettings {
    this.current = { ...this.current, ...change };
    return this.current;
  }

  counts(): FaultCounts {
    return { ...this.tally };
  }

  resetCounts(): void {
    this.tally = zeroCounts();
  }

  total(): number {
    return Object.values(this.tally).reduce((sum, count) => sum + count, 0);
  }

  private roll(probability: number): boolean {
    return probability > 0 && this.random() < probability;
  }

  /** Management API POST: maybe wait, then deliver or fail. */
  async beforePost(): Promise<PostVerdict> {
    const { postDelay, delayMaxMs, postGone, postLimitExceeded } = this.current;
    if (delayMaxMs > 0 && this.roll(postDelay)) {
      this.tally.postsDelayed += 1;
      await sleep(Math.floor(this.random() * delayMaxMs));
    }
    if (this.roll(postGone)) {
      this.tally.postsGone += 1;
      return 'gone';
    }
    if (this.roll(postLimitExceeded)) {
      this.tally.postsLimitExceeded += 1;
      return 'limit-exceeded';
    }
    return 'deliver';
  }

  dropDisconnect(): boolean {
    const drop = this.roll(this.current.dropDisconnect);
    if (drop) this.tally.disconnectsDropped += 1;
    return drop;
  }

  throttleDynamo(): boolean {
    const throttle = this.roll(this.current.dynamoThrottle);
    if (throttle) this.tally.dynamoThrottled += 1;
    return throttle;
  }

  duplicateSqsBatch(): boolean {
    const duplicate = this.roll(this.current.sqsDuplicate);
    if (duplicate) this.tally.sqsDuplicated += 1;
    return duplicate;
  }

  failSecretsRequest(): boolean {
    const fail = this.roll(this.current.secretsUnavailable);
    if (fail) this.tally.secretsFailed += 1;
    return fail;
  }

  /** Picks the connections to cut in a tick of `tickMs`. */
  connectionsToKill(openIds: readonly string[], tickMs: number): string[] {
    const chance = this.current.killPerSecond * (tickMs / 1000);
    const doomed = openIds.filter(() => this.roll(chance));
    this.tally.connectionsKilled += doomed.length;
    return doomed;
  }

  /** A fair pick of 0 .. count-1 (e.g. which throttling error DynamoDB answers with). */
  pickIndex(count: number): number {
    return Math.min(count - 1, Math.floor(this.random() * count));
  }
}
