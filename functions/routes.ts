/**
 * The one list of entry points: the CDK stack provisions a Lambda per entry and the
 * local stack invokes the same modules, so the two can never disagree about routes.
 * Paths are relative to the repository root; each module exports `handler`.
 */

/** What an entry point touches; the CDK stack grants exactly this and nothing more. */
export interface Needs {
  readonly table?: 'read' | 'readwrite';
  /** Sends to the routing queue. */
  readonly routingQueue?: boolean;
  /** Posts to / deletes WebSocket connections through the management API. */
  readonly connections?: boolean;
  /** Issues or verifies tokens: reads the JWT signing key and the identified-customer key. */
  readonly jwtSecret?: boolean;
  /** Reads the Upstash Redis secret (presence, load, rate limits). */
  readonly upstash?: boolean;
}

export interface WebSocketRoute {
  /** API Gateway route key (`$connect`, `$disconnect`, `$default` or an action name). */
  readonly routeKey: string;
  /** Short name used for the Lambda's construct id and log group. */
  readonly name: string;
  readonly entry: string;
  /** True when the handler's return value is sent back to the caller as a route response. */
  readonly replies: boolean;
  readonly needs: Needs;
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway HTTP API path, with `{param}` placeholders. */
  readonly path: string;
  readonly name: string;
  readonly entry: string;
  readonly needs: Needs;
}

export const AUTHORIZER_ENTRY = 'functions/handlers/ws/authorizer.ts';
// Reads agent profiles and staff sessions: a revoked staff token is refused at $connect.
export const AUTHORIZER_NEEDS: Needs = { jwtSecret: true, table: 'read' };
export const ROUTER_ENTRY = 'functions/handlers/queue/router.ts';
export const ROUTER_NEEDS: Needs = { table: 'readwrite', routingQueue: true, connections: true, upstash: true };

const rw = 'readwrite' as const;

const ws = (routeKey: string, name: string, needs: Needs, replies = true): WebSocketRoute => ({
  routeKey,
  name,
  entry: `functions/handlers/ws/${name}.ts`,
  replies,
  needs,
});

// Upstash: every route but $disconnect and $default passes its limits (domain/limits.ts).
export const WEBSOCKET_ROUTES: readonly WebSocketRoute[] = [
  ws('$connect', 'connect', { table: rw, upstash: true }, false),
  ws('$disconnect', 'disconnect', { table: rw, upstash: true }, false),
  ws('$default', 'default', {}),
  ws('heartbeat', 'heartbeat', { table: rw, upstash: true }),
  ws('sync', 'sync', { table: 'read', connections: true, upstash: true }),
  ws('start', 'start', { table: rw, routingQueue: true, connections: true, upstash: true }),
  ws('message', 'message', { table: rw, routingQueue: true, connections: true, upstash: true }),
  ws('typing', 'typing', { table: 'read', connections: true, upstash: true }),
  ws('read', 'read', { table: rw, connections: true, upstash: true }),
  ws('close', 'close', { table: rw, routingQueue: true, connections: true, upstash: true }),
  ws('status', 'status', { table: 'read', routingQueue: true, connections: true, upstash: true }),
  ws('transfer', 'transfer', { table: rw, routingQueue: true, connections: true, upstash: true }),
  ws('rate', 'rate', { table: rw, connections: true, upstash: true }),
];

const http = (method: HttpRoute['method'], path: string, name: string, needs: Needs): HttpRoute => ({
  method,
  path,
  name,
  entry: `functions/handlers/http/${name}.ts`,
  needs,
});

export const HTTP_ROUTES: readonly HttpRoute[] = [
  http('POST', '/v1/auth/guest', 'auth-guest', { jwtSecret: true, upstash: true }),
  // Login writes the staff session; refresh rotates it; logout ends it and closes its sockets.
  http('POST', '/v1/auth/login', 'auth-login', { table: rw, jwtSecret: true, upstash: true }),
  http('POST', '/v1/auth/refresh', 'auth-refresh', { table: rw, jwtSecret: true, upstash: true }),
  http('POST', '/v1/auth/logout', 'auth-logout', { table: rw, routingQueue: true, connections: true, upstash: true }),
  http('GET', '/v1/conversations', 'list-conversations', { table: 'read', jwtSecret: true, upstash: true }),
  http('GET', '/v1/conversations/{id}/messages', 'list-messages', { table: 'read', jwtSecret: true, upstash: true }),
  // Agent admin (admins only) and queue statistics (supervisors, admins).
  http('GET', '/v1/agents', 'agents-list', { table: 'read', jwtSecret: true, upstash: true }),
  http('POST', '/v1/agents', 'agents-create', { table: rw, jwtSecret: true, upstash: true }),
  http('GET', '/v1/agents/{id}', 'agents-get', { table: 'read', jwtSecret: true, upstash: true }),
  // Deleting, disabling, demoting or a new password closes the agent's sockets (connections).
  http('PUT', '/v1/agents/{id}', 'agents-update', { table: rw, routingQueue: true, connections: true, jwtSecret: true, upstash: true }),
  http('DELETE', '/v1/agents/{id}', 'agents-delete', { table: rw, routingQueue: true, connections: true, jwtSecret: true, upstash: true }),
  http('GET', '/v1/queues', 'list-queues', { table: 'read', jwtSecret: true, upstash: true }),
];

/** A function run on a schedule (an EventBridge rule on AWS, a timer in the local stack). */
export interface ScheduledFunction {
  readonly name: string;
  readonly entry: string;
  readonly needs: Needs;
  /** How often it runs, in minutes. */
  readonly rateMinutes: number;
}

export const SCHEDULED_FUNCTIONS: readonly ScheduledFunction[] = [
  {
    name: 'reconcile',
    entry: 'functions/handlers/scheduled/reconcile.ts',
    // Presence sweep, load rebuild from DynamoDB, triggers for lost agents and stalled queues.
    needs: { table: 'read', routingQueue: true, connections: true, upstash: true },
    rateMinutes: 1,
  },
];
