import { CUSTOMER_HEARTBEAT_SECONDS } from '../functions/domain/heartbeat';
import type { ThrottleLimits } from './parley-context';

/**
 * Per-route API Gateway throttles sized from a written-down traffic model. Each route's
 * steady rate is its expected peak (requests per second, from the inputs below) times the
 * headroom, never below a floor (a route must work for a small deployment and a few
 * retries) nor above the stage's own limit (which stays the ceiling for the whole API).
 * The burst is twice the rate. Deployers tune the inputs, or override single routes.
 */
export interface TrafficModelInputs {
  /** Customers connected at the busiest moment. */
  readonly expectedConcurrentCustomers: number;
  /** Agents, supervisors and admins signed in at the busiest moment. */
  readonly expectedAgents: number;
  /** Multiplier over the expected peak before API Gateway refuses (429 / throttled frame). */
  readonly headroom: number;
  /** Staff heartbeat interval (HEARTBEAT_SECONDS); customers beat every CUSTOMER_HEARTBEAT_SECONDS (functions/domain/heartbeat.ts). */
  readonly heartbeatSeconds: number;
}

/** The model's assumptions, per connected user: one place to read and to argue with. */
export const TRAFFIC_ASSUMPTIONS = {
  /**
   * The peak of connects (and syncs) is a reconnect storm, not the steady churn: after a
   * network blip or a deployment every client reconnects, with jittered back-off, within this.
   */
  reconnectStormSeconds: 60,
  /** A customer writes a message this often while connected; an agent (several chats) more often. */
  customerMessageSeconds: 30,
  agentMessageSeconds: 10,
  /** Typing notices, sent at most every few seconds while typing. */
  customerTypingSeconds: 10,
  agentTypingSeconds: 5,
  /** A customer starts (and later closes and rates) a conversation this often. */
  customerStartSeconds: 600,
  /** Agents change status and transfer rarely; supervisors poll the queues. */
  agentStatusSeconds: 300,
  agentTransferSeconds: 600,
  agentQueuesSeconds: 100,
  /** Staff sign in about once a shift and renew access tokens every 14 minutes. */
  agentLoginSeconds: 3600,
  agentRefreshSeconds: 840,
  /** History pages: agents open conversations often; customers on reload. */
  agentHistorySeconds: 60,
  customerHistorySeconds: 600,
  /** A widget without a conversation polls the public availability this often (and once per page view). */
  visitorAvailabilitySeconds: 60,
} as const;

/** No route is throttled below this (requests per second). */
export const ROUTE_RATE_FLOOR = 10;

type Rates = Readonly<Record<string, number>>;

/** Expected peak requests per second per route key (WebSocket) or `METHOD /path` (HTTP). */
export function expectedPeaks(inputs: TrafficModelInputs): { readonly webSocket: Rates; readonly http: Rates } {
  const a = TRAFFIC_ASSUMPTIONS;
  const customers = inputs.expectedConcurrentCustomers;
  const agents = inputs.expectedAgents;
  const everyone = customers + agents;
  const connects = everyone / a.reconnectStormSeconds;
  const messages = customers / a.customerMessageSeconds + agents / a.agentMessageSeconds;
  const starts = customers / a.customerStartSeconds;
  const history = agents / a.agentHistorySeconds + customers / a.customerHistorySeconds;
  const admin = agents / a.agentLoginSeconds;
  return {
    webSocket: {
      $connect: connects,
      $disconnect: connects,
      $default: 0,
      // Per role, as `session` announces them (customers only beat the gateway's idle limit),
      // plus the probes clients send when a send goes unanswered: at most one per send.
      heartbeat: customers / CUSTOMER_HEARTBEAT_SECONDS + agents / inputs.heartbeatSeconds + messages,
      // Every (re)connect syncs.
      sync: connects,
      start: starts,
      message: messages,
      typing: customers / a.customerTypingSeconds + agents / a.agentTypingSeconds,
      // Read marks follow delivered messages.
      read: messages,
      close: starts,
      status: agents / a.agentStatusSeconds,
      transfer: agents / a.agentTransferSeconds,
      rate: starts,
      // At most one transcript per chat, at its end.
      transcript: starts,
      // Issue 9: at most one conversion per chat.
      ticket: starts,
      // At most one per conversation that met the bot.
      handoff: starts,
      // Issue 10: internal notes, a fraction of the agents' own messages.
      note: agents / a.agentMessageSeconds,
    },
    http: {
      'POST /v1/auth/guest': starts,
      'POST /v1/auth/login': admin,
      'POST /v1/auth/refresh': agents / a.agentRefreshSeconds,
      'POST /v1/auth/logout': admin,
      'GET /v1/conversations': history,
      'GET /v1/conversations/{id}/messages': history,
      'GET /v1/conversations/{id}/notes': agents / a.agentHistorySeconds,
      // The customer panel beside each opened chat, and the widget's previous conversations.
      'GET /v1/customers/{id}/conversations': history,
      // Staff search about as often as they open a conversation's history.
      'GET /v1/search': agents / a.agentHistorySeconds,
      'GET /v1/agents': admin,
      'POST /v1/agents': admin,
      'GET /v1/agents/{id}': admin,
      'PUT /v1/agents/{id}': admin,
      'DELETE /v1/agents/{id}': admin,
      'GET /v1/queues': agents / a.agentQueuesSeconds,
      // The Team screen reads the roster with the queues (every 10 s while open, by the few
      // supervisors watching: about one staff member in ten, so the same rate).
      'GET /v1/roster': agents / a.agentQueuesSeconds,
      // Supervisors look at the suppression list about as often as at the queues.
      'GET /v1/mail/suppressions': agents / a.agentQueuesSeconds,
      // Tickets: the offline form at most once per would-be chat; staff work them like history.
      'POST /v1/tickets': starts,
      'GET /v1/tickets': history,
      'GET /v1/tickets/{id}': history,
      'PUT /v1/tickets/{id}': messages,
      'POST /v1/tickets/{id}/replies': messages,
      'GET /v1/availability': customers / a.visitorAvailabilitySeconds,
      'GET /v1/skills/{skill}/hours': admin,
      'PUT /v1/skills/{skill}/hours': admin,
      // Admin settings screens: the floor applies.
      'GET /v1/skills/{skill}/auto-replies': admin,
      'PUT /v1/skills/{skill}/auto-replies': admin,
      'POST /v1/skills/{skill}/auto-replies/test': admin,
      // Each console loads the canned responses when it signs in (and an admin's edits reload them).
      'GET /v1/canned-responses': admin,
      'PUT /v1/canned-responses/{id}': admin,
      'DELETE /v1/canned-responses/{id}': admin,
      // The console reads the skills and who is online when an agent opens the transfer picker.
      'GET /v1/skills': agents / a.agentTransferSeconds,
      'PUT /v1/skills/{skill}': admin,
      'DELETE /v1/skills/{skill}': admin,
      'GET /v1/agents/online': agents / a.agentTransferSeconds,
      // Webhooks: an admin settings screen; the floor applies.
      'GET /v1/webhooks': admin,
      'POST /v1/webhooks': admin,
      'GET /v1/webhooks/{id}': admin,
      'PUT /v1/webhooks/{id}': admin,
      'DELETE /v1/webhooks/{id}': admin,
      'GET /v1/webhooks/{id}/deliveries': admin,
      'POST /v1/webhooks/{id}/test': admin,
      // Supervisors open reports now and then: the floor applies.
      'GET /v1/reports': admin,
      'GET /v1/reports/ratings': admin,
      // Issue 11: at most one upload per message, and a download URL per attachment shown (a page of history at a time).
      'POST /v1/attachments': messages,
      'GET /v1/conversations/{id}/attachments/{attachmentId}': messages,
      // Issue 11: a customer's export (and erasure) on request, by admins: the floor applies.
      'GET /v1/customers/{id}/export': admin,
      'DELETE /v1/customers/{id}': admin,
    },
  };
}

/** rate = max(floor, ceil(peak x headroom)), capped by the stage; burst = 2 x rate, capped too. */
export function throttleFor(peak: number, headroom: number, stage: ThrottleLimits): ThrottleLimits {
  const rateLimit = Math.min(stage.rateLimit, Math.max(ROUTE_RATE_FLOOR, Math.ceil(peak * headroom)));
  return { rateLimit, burstLimit: Math.min(stage.burstLimit, Math.max(1, Math.ceil(rateLimit * 2))) };
}

/** Route keys an override names that no route has (a typo would silently change nothing). */
export function unknownRouteKeys(overrides: Readonly<Record<string, unknown>>, peaks: readonly Rates[]): string[] {
  return Object.keys(overrides).filter((routeKey) => !peaks.some((rates) => routeKey in rates));
}

/** Each route's throttle: the model's, or the deployer's override for that route key. */
export function routeThrottles(
  peaks: Rates,
  options: { readonly headroom: number; readonly stage: ThrottleLimits; readonly overrides: Readonly<Record<string, ThrottleLimits>> },
): Readonly<Record<string, ThrottleLimits>> {
  return Object.fromEntries(
    Object.entries(peaks).map(([routeKey, peak]) => [
      routeKey,
      options.overrides[routeKey] ?? throttleFor(peak, options.headroom, options.stage),
    ]),
  );
}
