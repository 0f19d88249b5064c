import { RateLimitedError } from '../../domain/errors';
import type { RateLimitRule } from '../../ports/rate-limiter';
import type { Caller, Ports } from '../../services/context';

/** A caller on a WebSocket connection: limits key on the connection or the user. */
type ConnectedCaller = Caller & { readonly connectionId: string };

const REFUSALS: Record<RateLimitRule, string> = {
  message: 'Too many messages from this connection; slow down',
  start: 'Too many conversations started; try again later',
  guestToken: 'Too many guest tokens requested from this address; try again later',
  login: 'Too many sign-in attempts from this address; try again later',
};

/** Which actions are limited, and per what: messages per connection, starts per user. */
const ACTION_LIMITS: Readonly<Record<string, (caller: ConnectedCaller) => [RateLimitRule, string]>> = {
  message: (caller) => ['message', caller.connectionId],
  start: (caller) => ['start', caller.user.id],
};

/** Counts one request; throws rate_limited (with retryAfterMs) when the key is over its limit. */
export async function enforceRateLimit(ports: Ports, rule: RateLimitRule, key: string): Promise<void> {
  const decision = await ports.rateLimiter.consume(rule, key);
  if (!decision.allowed) throw new RateLimitedError(REFUSALS[rule], decision.retryAfterMs);
}

export async function enforceActionLimit(ports: Ports, caller: ConnectedCaller, action: string): Promise<void> {
  const limit = Object.hasOwn(ACTION_LIMITS, action) ? ACTION_LIMITS[action] : undefined;
  if (!limit) return;
  const [rule, key] = limit(caller);
  await enforceRateLimit(ports, rule, key);
}
