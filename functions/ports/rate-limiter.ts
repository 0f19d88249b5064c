/** The abuse limits Parley enforces, each counted per its own key (connection, IP or user). */
export const RATE_LIMIT_RULES = ['message', 'start', 'guestToken', 'login'] as const;
export type RateLimitRule = (typeof RATE_LIMIT_RULES)[number];

export interface RateLimit {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface RateLimiter {
  /**
   * Counts one request against `rule` for `key` and says whether it may proceed. Never
   * throws: when the store cannot be reached, the request is allowed (the limits protect
   * against abuse; they must not take the chat down with them) and the failure is logged.
   */
  consume(rule: RateLimitRule, key: string): Promise<RateDecision>;
}

/** Exponential lock-out of a login identity (email + client IP) after repeated failures. */
export interface LoginBackoff {
  /** Milliseconds until the identity may try again; 0 when it is not locked. */
  lockedForMs(identity: string): Promise<number>;
  /** Records a failed attempt; returns how long the identity is now locked (0 if not yet). */
  recordFailure(identity: string): Promise<number>;
  /** Forgets the failures after a successful login. */
  reset(identity: string): Promise<void>;
}
