import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import type { LimitCheck, LimitRuleName, RateDecision, RateLimit, RateLimiter } from '../../ports/rate-limiter';

export interface UpstashRateLimiterOptions {
  readonly redis: () => Promise<Redis>;
  readonly limits: Readonly<Record<LimitRuleName, RateLimit>>;
  /** Keys are `${prefix}${rule}:${key}`. */
  readonly prefix?: string;
  readonly now?: () => number;
}

/** Only the message: an Upstash error can quote the command, and keys hold connection ids and IPs. */
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message.slice(0, 200) : 'unknown error');

/**
 * Sliding-window limits with @upstash/ratelimit, one limiter per rule. Each check is one
 * EVALSHA; the checks of one request are issued together, so @upstash/redis's automatic
 * pipelining sends them in one HTTP round trip.
 */
export class UpstashRateLimiter implements RateLimiter {
  private readonly limiters = new Map<LimitRuleName, Promise<Ratelimit>>();

  constructor(private readonly options: UpstashRateLimiterOptions) {}

  private limiter(rule: LimitRuleName): Promise<Ratelimit> {
    let limiter = this.limiters.get(rule);
    if (!limiter) {
      const { limit, windowSeconds, timeoutMs } = this.options.limits[rule];
      limiter = this.options.redis().then(
        (redis) =>
          new Ratelimit({
            redis,
            limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`),
            prefix: `${this.options.prefix ?? 'parley:rl:'}${rule}`,
            analytics: false,
            // Remembers blocked keys in the container so a flood costs no Redis calls.
            ephemeralCache: new Map(),
            timeout: timeoutMs ?? 1000,
          }),
      );
      limiter.catch(() => this.limiters.delete(rule));
      this.limiters.set(rule, limiter);
    }
    return limiter;
  }

  async consume(checks: readonly LimitCheck[]): Promise<RateDecision[]> {
    if (checks.length === 0) return [];
    let limiters: Ratelimit[];
    try {
      limiters = await Promise.all(checks.map((check) => this.limiter(check.rule)));
    } catch (error) {
      const reason = reasonOf(error);
      return checks.map(() => ({ outcome: 'unknown', reason }));
    }
    // Issued in the same tick so the auto-pipeline batches them.
    return Promise.all(checks.map((check, index) => this.decide(limiters[index]!, check.key)));
  }

  private async decide(limiter: Ratelimit, key: string): Promise<RateDecision> {
    try {
      const result = await limiter.limit(key);
      await result.pending;
      // @upstash/ratelimit answers success with reason "timeout" when Redis did not answer in time.
      if (result.reason === 'timeout') return { outcome: 'unknown', reason: 'Redis did not answer in time' };
      if (result.success) return { outcome: 'allowed' };
      const now = this.options.now?.() ?? Date.now();
      return { outcome: 'limited', retryAfterMs: Math.max(1, result.reset - now) };
    } catch (error) {
      return { outcome: 'unknown', reason: reasonOf(error) };
    }
  }
}
