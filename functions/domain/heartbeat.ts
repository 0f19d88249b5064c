/**
 * Heartbeat intervals per role (issue 14 item 3), free of I/O. A heartbeat does two jobs:
 * it keeps API Gateway from closing an idle connection (10 minutes without a client message)
 * and, for staff, it keeps the agent's presence alive (it expires after the presence grace).
 * Customers need only the first, so they beat rarely; staff need the second.
 */
import type { Role } from './identity';

/** API Gateway closes a WebSocket connection that has sent nothing for this long (not adjustable). */
export const API_GATEWAY_IDLE_SECONDS = 600;

/**
 * Customers beat every 5 minutes: half the idle limit, so one lost or late beat (or a
 * throttled timer in a background tab) still leaves 5 minutes before the gateway closes.
 */
export const CUSTOMER_HEARTBEAT_SECONDS = API_GATEWAY_IDLE_SECONDS / 2;

export interface HeartbeatSettings {
  /** HEARTBEAT_SECONDS: the staff interval as configured. */
  readonly heartbeatSeconds: number;
  /** PRESENCE_GRACE_SECONDS: staff presence expires this long after the last beat. */
  readonly presenceGraceSeconds: number;
}

/**
 * The interval a caller is told in `session.heartbeatSeconds`. Staff: the configured
 * interval, but never more than half the presence grace (so one late beat does not lapse
 * the agent) nor more than the customers'. Customers: CUSTOMER_HEARTBEAT_SECONDS.
 */
export function heartbeatSecondsFor(role: Role, settings: HeartbeatSettings): number {
  if (role === 'customer') return CUSTOMER_HEARTBEAT_SECONDS;
  return Math.max(1, Math.min(settings.heartbeatSeconds, Math.floor(settings.presenceGraceSeconds / 2), CUSTOMER_HEARTBEAT_SECONDS));
}
