import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import type { RateDecision, RateLimit, RateLimitRule, RateLimiter } from '../../ports/rate-limiter';

export interface UpstashRateLimiterOptions {
  readonly redis: () => Promise<Redis>;
  readonly limits: Readonly<Record<RateLimitRule, RateLimit>>;
  /** Keys are `${prefix}${rule}:${key}`. */
  readonly prefix?: string;
  /** Called when Redis cannot be reached and the request is let through. */
  readonly onFailure: (rule: RateLimitRule, error: unknown) => void;
  /** How long to wait for Redis before letting the request through. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Sliding-window limits with @upstash/ratelimit, one limiter per rule. */
export class UpstashRateLimiter implements RateLimiter {
  private readonly limiters = new Map<RateLimitRule, Promise<Ratelimit>>();

  constructor(private readonly options: UpstashRateLimiterOptions) {}

  private limiter(rule: RateLimitRule): Promise<Ratelimit> {
    let limiter = this.limiters.get(rule);
    if (!limiter) {
      const { limit, windowSeconds } = this.options.limits[rule];
      limiter = this.options.redis().then(
        (redis) =>
          new Ratelimit({
            redis,
            limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`),
            prefix: `${this.options.prefix ?? 'parley:rl:'}${rule}`,
            analytics: false,
            // Remembers blocked keys in the container so a flood costs no Redis calls.
            ephemeralCache: new Map(),
            timeout: this.options.timeoutMs ?? 1000,
          }),
      );
      limiter.catch(() => this.limiters.delete(rule));
      this.limiters.set(rule, limiter);
    }
    return limiter;
  }

  async consume(rule: RateLimitRule, key: string): Promise<RateDecision> {
    try {
      const result = await (await this.limiter(rule)).limit(key);
      await result.pending;
      if (result.success) return { allowed: true };
      const now = this.options.now?.() ?? Date.now();
      return { allowed: false, retryAfterMs: Math.max(1, result.reset - now) };
    } catch (error) {
      this.options.onFailure(rule, error);
      return { allowed: true };
    }
  }
}
