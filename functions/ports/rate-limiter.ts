import type { LimitCheck, LimitRuleName } from '../domain/limits';

export type { LimitCheck, LimitRuleName };

export interface RateLimit {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowSeconds: number;
  /** How long to wait for the store before answering `unknown` (default 1 s). */
  readonly timeoutMs?: number;
}

/**
 * `unknown`: the counter store could not be reached (or did not answer in time), so nobody
 * knows whether the request is over its limit; the rule's fail policy decides.
 */
export type RateDecision =
  | { readonly outcome: 'allowed' }
  | { readonly outcome: 'limited'; readonly retryAfterMs: number }
  | { readonly outcome: 'unknown'; readonly reason: string };

export interface RateLimiter {
  /**
   * Counts one request against each check, all in one round trip, and answers one decision
   * per check, in order. Never throws: an unreachable store answers `unknown`.
   */
  consume(checks: readonly LimitCheck[]): Promise<RateDecision[]>;
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
