export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** 0.5 s doubling to 20 s: quick after a blip, gentle on a service that is down. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 20_000 };

/**
 * Full-jitter exponential backoff: a uniform delay in [0, min(cap, base * 2^attempt)).
 * Spreading reconnects evenly keeps a fleet of clients from reconnecting in lockstep after an
 * outage. `attempt` counts from 0.
 */
export function fullJitterDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
