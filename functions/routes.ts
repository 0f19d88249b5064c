/**
 * The one list of entry points: the CDK stack provisions a Lambda per entry and the
 * local stack invokes the same modules, so the two can never disagree about routes.
 * Paths are relative to the repository root; each module exports `handler`.
 */

import { on, queryIndex, unionOfAccess, type TableAccess } from './table-access';

/** What an entry point touches; the CDK stack grants exactly this and nothing more. */
export interface Needs {
  /** Whether it touches the table at all; what it may do there is its TABLE_ACCESS entry (below). */
  readonly table?: 'read' | 'readwrite';
  /** Sends to the routing queue. */
  readonly routingQueue?: boolean;
  /** Sends triggers that can never succeed to the routing queue's DLQ (the router only). */
  readonly parksUnroutable?: boolean;
  /** Posts to / deletes WebSocket connections through the management API. */
  readonly connections?: boolean;
  /** Mints Parley tokens: reads the private signing-key set. Only the three auth endpoints that issue tokens. */
  readonly signingKeys?: boolean;
  /** Verifies tokens: reads the public verification-key set and the identified-customer key. */
  readonly verificationKeys?: boolean;
  /** Rotates the signing keys: writes the verification-key set (its own grants on the signing-key secret come with the rotation schedule). */
  readonly rotatesSigningKeys?: boolean;
  /** Reads the Upstash Redis secret (presence, load, rate limits). */
  readonly upstash?: boolean;
  /** Sends email: ses:SendEmail on the identity and configuration set (only when mail is configured). */
  readonly mail?: boolean;
  /** Reads inbound mail: s3:GetObject on the bucket SES receiving writes to. */
  readonly inboundMail?: boolean;
  /** Sends to the `webhook-deliveries` queue (the webhooks sink, the test ping, the worker's retries). */
  readonly webhookDeliveries?: boolean;
  /** Publishes domain events: sqs:SendMessage on the events queue (docs/events.md). */
  readonly events?: boolean;
  /**
   * The attachments bucket (docs/attachments.md). `issue`: signs upload grants (s3:PutObject on
   * uploads/*) and download URLs (s3:GetObject on conversations/*). `accept`: checks an upload a
   * message references and moves it (s3:GetObject and s3:DeleteObject on uploads/*, s3:GetObject
   * and s3:PutObject on conversations/*). Both: s3:ListBucket, so a missing object is a 404, not a 403.
   */
  readonly attachments?: 'issue' | 'accept';
  /**
   * Customers' data rights (docs/data-rights.md) in the attachments bucket: s3:ListBucket on
   * `conversations/` (a conversation's files), s3:GetObject and s3:DeleteObject on
   * `conversations/*` (exported, erased), s3:PutObject and s3:GetObject on `exports/*` (the
   * archive and its presigned GET).
   */
  readonly customerData?: boolean;
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
  /**
   * The function serving the route (its construct id, log streams and TABLE_ACCESS entry).
   * Routes of one group share it: the same `name`, `entry` and `needs` (lib/constructs/http-api.ts).
   */
  readonly name: string;
  /**
   * The route's own operation: its handler module (`functions/handlers/http/<operation>.ts`),
   * its limits (domain/limits.ts) and the `route` key of its log lines. Equals `name` for a
   * route with a function of its own; in a group, the group's entry dispatches to it.
   */
  readonly operation: string;
  readonly entry: string;
  /** The function's needs: for a group, the union of its operations' (`operationNeeds`). */
  readonly needs: Needs;
  /** What the operation alone needs. */
  readonly operationNeeds: Needs;
}

export const AUTHORIZER_ENTRY = 'functions/handlers/ws/authorizer.ts';
// Reads agent profiles and staff sessions: a revoked staff token is refused at $connect.
export const AUTHORIZER_NEEDS: Needs = { verificationKeys: true, table: 'read' };
export const ROUTER_ENTRY = 'functions/handlers/queue/router.ts';
/**
 * The `webhook-deliveries` worker (docs/webhooks.md): reads the endpoint, POSTs to it, logs the
 * attempt and queues the next one. No Redis, no connections: receivers are its only outside calls.
 */
export const WEBHOOK_DELIVERY_FUNCTION = {
  name: 'webhook-delivery',
  entry: 'functions/handlers/queue/webhook-delivery.ts',
  needs: { table: 'readwrite', webhookDeliveries: true },
} as const satisfies { name: string; entry: string; needs: Needs };
// The router publishes `conversation.assigned`.
export const ROUTER_NEEDS: Needs = {
  table: 'readwrite',
  routingQueue: true,
  parksUnroutable: true,
  connections: true,
  upstash: true,
  events: true,
};
/** The events queue's consumer (docs/events.md): runs every registered sink (services/event-sinks.ts) per event. */
export const EVENTS_CONSUMER = {
  name: 'events',
  entry: 'functions/handlers/queue/events.ts',
  // The reports sink writes its counters, dedupe markers and ratings; the search sink its postings;
  // the webhooks sink (docs/webhooks.md) queues one delivery per subscribed endpoint.
  needs: { table: 'readwrite', webhookDeliveries: true },
} as const satisfies { readonly name: string; readonly entry: string; readonly needs: Needs };

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
  // An agent's last connection ending publishes a delayed `agent.left` (the leave grace).
  ws('$disconnect', 'disconnect', { table: rw, routingQueue: true, upstash: true }, false),
  ws('$default', 'default', {}),
  // A heartbeat that finds Redis lost the agent restores it from its record: `agent.available`, a `status` push.
  ws('heartbeat', 'heartbeat', { table: rw, routingQueue: true, connections: true, upstash: true }),
  // A staff sync restores what Redis lost, as a heartbeat does (devices that reconnect often may never heartbeat).
  ws('sync', 'sync', { table: 'read', routingQueue: true, connections: true, upstash: true }),
  // Domain events (docs/events.md): conversation.started, message.created.
  ws('start', 'start', { table: rw, routingQueue: true, connections: true, upstash: true, events: true }),
  // Issue 11: a message may reference an upload, checked and moved in the bucket (attachments: accept).
  ws('message', 'message', {
    table: rw,
    routingQueue: true,
    connections: true,
    upstash: true,
    events: true,
    attachments: 'accept',
  }),
  ws('typing', 'typing', { table: 'read', connections: true, upstash: true }),
  ws('read', 'read', { table: rw, connections: true, upstash: true }),
  ws('close', 'close', { table: rw, routingQueue: true, connections: true, upstash: true, events: true }),
  ws('status', 'status', { table: rw, routingQueue: true, connections: true, upstash: true }),
  ws('transfer', 'transfer', { table: rw, routingQueue: true, connections: true, upstash: true, events: true }),
  ws('rate', 'rate', { table: rw, connections: true, upstash: true, events: true }),
  // Reads the chat and the recipient's bounce status, then sends one mail.
  ws('transcript', 'transcript', { table: 'read', upstash: true, mail: true }),
  // Issue 9: the customer turns a waiting chat into an email ticket.
  ws('ticket', 'ticket', { table: rw, connections: true, upstash: true, events: true }),
  // bot -> queued: the notice, the conditional move, the routing trigger.
  ws('handoff', 'handoff', { table: rw, routingQueue: true, connections: true, upstash: true }),
  // Issue 10: an internal note (staff only), stored apart from the messages and pushed to staff.
  ws('note', 'note', { table: rw, connections: true, upstash: true }),
];

const http = (method: HttpRoute['method'], path: string, name: string, needs: Needs): HttpRoute => ({
  method,
  path,
  name,
  operation: name,
  entry: `functions/handlers/http/${name}.ts`,
  needs,
  operationNeeds: needs,
});

/**
 * HTTP route groups: the routes of one feature with the same audience and (nearly) the same
 * needs share one function, so each route after the first costs a route and a Lambda
 * permission instead of a function, role, policy and integration too (docs/operations.md,
 * "Resource budget"). The group's entry, `functions/handlers/http/<group>.ts`, dispatches on
 * the route key to each operation's own module; its needs and table access are the union of
 * its operations' (`unionOfNeeds` below; `unionOfAccess` in TABLE_ACCESS). Reads are kept apart
 * from writes, and a partition only some staff paths may read (NOTES#) keeps its own function.
 * (A feature may also give several routes one `http(...)` name and entry whose module
 * dispatches itself, e.g. with `httpDispatcher`; their needs must then be equal.)
 */
export const HTTP_GROUPS = {
  /** Conversation lists and history: customers and staff (never the notes: list-notes stays apart). */
  conversationReads: 'conversation-reads',
  /** Agent profiles, who is online, the roster and queue statistics (staff). */
  teamReads: 'team-reads',
  /** Ticket lists and one ticket's thread (staff). */
  ticketReads: 'ticket-reads',
  /** Replies to and changes of tickets (staff); the reply mails the customer. */
  ticketWrites: 'ticket-writes',
  /** Business hours, auto-replies (and their trial), configured skills and canned responses (staff). */
  settingsReads: 'settings-reads',
  /** Changing and deleting agents (admins); both may close the agent's sockets. */
  agentWrites: 'agent-writes',
  /** Adding, renaming and deleting configured skills (admins). */
  skillWrites: 'skill-writes',
  /** A skill's business hours and auto-replies (admins). */
  skillSettingsWrites: 'skill-settings-writes',
  /** Saving and deleting canned responses (admins). */
  cannedResponseWrites: 'canned-response-writes',
} as const;
export type HttpGroupName = (typeof HTTP_GROUPS)[keyof typeof HTTP_GROUPS];

/** A route of a group: the group's function and entry, the operation's own module and needs. */
const grouped =
  (group: HttpGroupName) =>
  (method: HttpRoute['method'], path: string, operation: string, operationNeeds: Needs): HttpRoute => ({
    method,
    path,
    name: group,
    operation,
    entry: `functions/handlers/http/${group}.ts`,
    // Replaced by the group's union below.
    needs: operationNeeds,
    operationNeeds,
  });
const conversationReads = grouped(HTTP_GROUPS.conversationReads);
const teamReads = grouped(HTTP_GROUPS.teamReads);
const ticketReads = grouped(HTTP_GROUPS.ticketReads);
const ticketWrites = grouped(HTTP_GROUPS.ticketWrites);
const settingsReads = grouped(HTTP_GROUPS.settingsReads);
const agentWrites = grouped(HTTP_GROUPS.agentWrites);
const skillWrites = grouped(HTTP_GROUPS.skillWrites);
const skillSettingsWrites = grouped(HTTP_GROUPS.skillSettingsWrites);
const cannedResponseWrites = grouped(HTTP_GROUPS.cannedResponseWrites);

const NEEDS_FLAGS = [
  'routingQueue',
  'parksUnroutable',
  'connections',
  'signingKeys',
  'verificationKeys',
  'rotatesSigningKeys',
  'upstash',
  'mail',
  'inboundMail',
  'webhookDeliveries',
  'events',
  'customerData',
] as const satisfies readonly (keyof Needs)[];

/** What a function running all these needs: every flag any of them sets, the widest table use. */
export function unionOfNeeds(all: readonly Needs[]): Needs {
  const table = all.some((needs) => needs.table === 'readwrite') ? rw : all.some((needs) => needs.table === 'read') ? 'read' : undefined;
  const union: { -readonly [K in keyof Needs]: Needs[K] } = table === undefined ? {} : { table };
  for (const flag of NEEDS_FLAGS) if (all.some((needs) => needs[flag] === true)) union[flag] = true;
  return union;
}

/** Each group's routes get the union of its operations' needs (one object, so they compare equal). */
function withGroupNeeds(routes: readonly HttpRoute[]): readonly HttpRoute[] {
  const unions = new Map<string, Needs>();
  for (const route of routes) {
    if (route.name === route.operation || unions.has(route.name)) continue;
    unions.set(route.name, unionOfNeeds(routes.filter((other) => other.name === route.name).map((other) => other.operationNeeds)));
  }
  return routes.map((route) => ({ ...route, needs: unions.get(route.name) ?? route.needs }));
}

// An erase with force closes conversations in progress as a close would: participants told
// (connections), the agent's capacity released (upstash, routingQueue), conversation.closed published (events).
const CUSTOMER_DATA_NEEDS: Needs = {
  table: rw,
  verificationKeys: true,
  upstash: true,
  customerData: true,
  connections: true,
  routingQueue: true,
  events: true,
};
const ATTACHMENTS_NEEDS: Needs = { table: 'read', verificationKeys: true, upstash: true, attachments: 'issue' };

// Guest, login and refresh mint tokens and verify none (logout takes only a refresh token);
// every other route verifies the caller's bearer token.
export const HTTP_ROUTES: readonly HttpRoute[] = withGroupNeeds([
  http('POST', '/v1/auth/guest', 'auth-guest', { signingKeys: true, upstash: true }),
  // Login writes the staff session; refresh rotates it; logout ends it and closes its sockets.
  http('POST', '/v1/auth/login', 'auth-login', { table: rw, signingKeys: true, upstash: true }),
  http('POST', '/v1/auth/refresh', 'auth-refresh', { table: rw, signingKeys: true, upstash: true }),
  http('POST', '/v1/auth/logout', 'auth-logout', { table: rw, routingQueue: true, connections: true, upstash: true }),
  conversationReads('GET', '/v1/conversations', 'list-conversations', { table: 'read', verificationKeys: true, upstash: true }),
  conversationReads('GET', '/v1/conversations/{id}/messages', 'list-messages', { table: 'read', verificationKeys: true, upstash: true }),
  // Issue 10: a conversation's internal notes (staff).
  http('GET', '/v1/conversations/{id}/notes', 'list-notes', { table: 'read', verificationKeys: true, upstash: true }),
  // Issue 10: a customer's conversations and tickets, for staff who may see the customer and the customer.
  conversationReads('GET', '/v1/customers/{id}/conversations', 'customer-conversations', {
    table: 'read',
    verificationKeys: true,
    upstash: true,
  }),
  // Issue 11: staff search conversations (docs/search.md): posting lists, then the page's conversations.
  http('GET', '/v1/search', 'search', { table: 'read', verificationKeys: true, upstash: true }),
  // Agent admin (admins only) and queue statistics (supervisors, admins).
  teamReads('GET', '/v1/agents', 'agents-list', { table: 'read', verificationKeys: true, upstash: true }),
  http('POST', '/v1/agents', 'agents-create', { table: rw, verificationKeys: true, upstash: true }),
  teamReads('GET', '/v1/agents/{id}', 'agents-get', { table: 'read', verificationKeys: true, upstash: true }),
  // Deleting, disabling, demoting or a new password closes the agent's sockets (connections).
  agentWrites('PUT', '/v1/agents/{id}', 'agents-update', {
    table: rw,
    routingQueue: true,
    connections: true,
    verificationKeys: true,
    upstash: true,
  }),
  agentWrites('DELETE', '/v1/agents/{id}', 'agents-delete', {
    table: rw,
    routingQueue: true,
    connections: true,
    verificationKeys: true,
    upstash: true,
  }),
  teamReads('GET', '/v1/queues', 'list-queues', { table: 'read', verificationKeys: true, upstash: true }),
  // Issue 10: every agent's status, load and current conversations (supervisors, admins).
  teamReads('GET', '/v1/roster', 'roster', { table: 'read', verificationKeys: true, upstash: true }),
  // Addresses SES reported bounced or complained (supervisors, admins).
  http('GET', '/v1/mail/suppressions', 'mail-suppressions', { table: 'read', verificationKeys: true, upstash: true }),
  // Tickets (issue 9, docs/tickets.md): the offline form, the staff's ticket lists and replies (emailed).
  http('POST', '/v1/tickets', 'tickets-create', { table: rw, connections: true, verificationKeys: true, upstash: true, events: true }),
  ticketReads('GET', '/v1/tickets', 'tickets-list', { table: 'read', verificationKeys: true, upstash: true }),
  ticketReads('GET', '/v1/tickets/{id}', 'tickets-get', { table: 'read', verificationKeys: true, upstash: true }),
  ticketWrites('PUT', '/v1/tickets/{id}', 'tickets-update', { table: rw, connections: true, verificationKeys: true, upstash: true }),
  ticketWrites('POST', '/v1/tickets/{id}/replies', 'tickets-reply', {
    table: rw,
    connections: true,
    verificationKeys: true,
    upstash: true,
    mail: true,
  }),
  // Public (no token, so no verification keys): widgets ask whether anyone can answer.
  http('GET', '/v1/availability', 'availability', { table: 'read', upstash: true }),
  // Business hours per skill: supervisors and admins read, admins write.
  settingsReads('GET', '/v1/skills/{skill}/hours', 'hours-get', { table: 'read', verificationKeys: true, upstash: true }),
  skillSettingsWrites('PUT', '/v1/skills/{skill}/hours', 'hours-put', { table: rw, verificationKeys: true, upstash: true }),
  // Auto-replies (the first-line bot): supervisors and admins read and try them, admins save them.
  settingsReads('GET', '/v1/skills/{skill}/auto-replies', 'auto-replies-get', { table: 'read', verificationKeys: true, upstash: true }),
  skillSettingsWrites('PUT', '/v1/skills/{skill}/auto-replies', 'auto-replies-put', { table: rw, verificationKeys: true, upstash: true }),
  // Configured skills (issue 10, docs/routing.md#skills): staff list them, admins add, rename and delete them.
  settingsReads('GET', '/v1/skills', 'skills-list', { table: 'read', verificationKeys: true, upstash: true }),
  skillWrites('PUT', '/v1/skills/{skill}', 'skills-put', { table: rw, verificationKeys: true, upstash: true }),
  skillWrites('DELETE', '/v1/skills/{skill}', 'skills-delete', { table: rw, verificationKeys: true, upstash: true }),
  // Who can take a transfer now (staff): online agents' status, load, capacity and skills.
  teamReads('GET', '/v1/agents/online', 'agents-online', { table: 'read', verificationKeys: true, upstash: true }),
  settingsReads('POST', '/v1/skills/{skill}/auto-replies/test', 'auto-replies-test', {
    table: 'read',
    verificationKeys: true,
    upstash: true,
  }),
  // Canned responses (docs/canned-responses.md): staff read those they may use, admins save and delete.
  settingsReads('GET', '/v1/canned-responses', 'canned-responses-list', { table: 'read', verificationKeys: true, upstash: true }),
  cannedResponseWrites('PUT', '/v1/canned-responses/{id}', 'canned-responses-put', { table: rw, verificationKeys: true, upstash: true }),
  cannedResponseWrites('DELETE', '/v1/canned-responses/{id}', 'canned-responses-delete', {
    table: rw,
    verificationKeys: true,
    upstash: true,
  }),
  // Webhooks (issue 11, docs/webhooks.md), admins only: one function for all seven routes.
  ...(
    [
      ['GET', '/v1/webhooks'],
      ['POST', '/v1/webhooks'],
      ['GET', '/v1/webhooks/{id}'],
      ['PUT', '/v1/webhooks/{id}'],
      ['DELETE', '/v1/webhooks/{id}'],
      ['GET', '/v1/webhooks/{id}/deliveries'],
      ['POST', '/v1/webhooks/{id}/test'],
    ] as const
  ).map(([method, path]) => http(method, path, 'webhooks', { table: rw, webhookDeliveries: true, verificationKeys: true, upstash: true })),
  // Reports (docs/reports.md; supervisors, admins): one function for both routes, dispatched on the route key.
  http('GET', '/v1/reports', 'reports', { table: 'read', verificationKeys: true, upstash: true }),
  http('GET', '/v1/reports/ratings', 'reports', { table: 'read', verificationKeys: true, upstash: true }),
  // Issue 11 (docs/attachments.md): one function for the upload grant and the download URL.
  http('POST', '/v1/attachments', 'attachments', ATTACHMENTS_NEEDS),
  http('GET', '/v1/conversations/{id}/attachments/{attachmentId}', 'attachments', ATTACHMENTS_NEEDS),
  // Issue 11 (docs/data-rights.md), admins only: one function for a customer's export and erasure.
  http('GET', '/v1/customers/{id}/export', 'customer-data', CUSTOMER_DATA_NEEDS),
  http('DELETE', '/v1/customers/{id}', 'customer-data', CUSTOMER_DATA_NEEDS),
]);

/** A function SES drives (lib/constructs/mail.ts): deployed only when the stack is given a mail identity. */
export interface MailFunction {
  readonly name: string;
  readonly entry: string;
  readonly needs: Needs;
}

export const MAIL_FUNCTIONS = {
  /** SES receiving -> S3 -> this: threads a customer's emailed reply into its ticket (receiveTicketReply). */
  inbound: {
    name: 'mail-inbound',
    entry: 'functions/handlers/mail/inbound.ts',
    needs: { table: 'readwrite', inboundMail: true, connections: true },
  },
  /** The configuration set's event destination (SNS) -> this: marks bounced and complaining addresses. */
  events: {
    name: 'mail-events',
    entry: 'functions/handlers/mail/events.ts',
    needs: { table: 'readwrite' },
  },
} as const satisfies Record<string, MailFunction>;

/** A function run on a schedule (an EventBridge rule on AWS, a timer in the local stack). */
export interface ScheduledFunction {
  readonly name: string;
  readonly entry: string;
  readonly needs: Needs;
  /** How often it runs, in minutes. */
  readonly rateMinutes: number;
  /** The function's timeout: room for its work at scale (docs/routing.md "Reconciliation at scale"), under its period so runs rarely overlap. */
  readonly timeoutSeconds: number;
}

export const SCHEDULED_FUNCTIONS: readonly ScheduledFunction[] = [
  {
    name: 'reconcile',
    entry: 'functions/handlers/scheduled/reconcile.ts',
    // Presence sweep, load rebuild from DynamoDB, triggers for lost agents and stalled queues;
    // abandoned chats (a notice, then a close: it writes conversations and their messages);
    // the availability sweep (remembers per skill what its waiting customers were last told);
    // ticket offers to long waits (a conditional write per offer);
    // idle `bot` conversations closed (a write).
    // Closing abandoned and idle-bot chats publishes `conversation.closed`.
    needs: { table: rw, routingQueue: true, connections: true, upstash: true, events: true },
    rateMinutes: 1,
    // Per-agent work runs 8 at a time (services/reconciliation.ts); thousands of agents take
    // seconds, not the 10 s default. Runs overlapping anyway are safe.
    timeoutSeconds: 50,
  },
];

/** Secrets Manager's rotation function for the signing-key secret (lib/constructs/signing-key-rotation.ts). */
export const SIGNING_KEY_ROTATION: {
  readonly name: string;
  readonly entry: string;
  readonly needs: Needs;
  /** Days between scheduled rotations. */
  readonly rotationDays: number;
} = {
  name: 'rotate-signing-keys',
  entry: 'functions/handlers/rotation/signing-keys.ts',
  needs: { rotatesSigningKeys: true },
  rotationDays: 30,
};

/**
 * Table access per entry point (by `name`; an HTTP route in a group by its `operation`, the
 * group's function getting the union, TABLE_ACCESS below), read from each handler's code paths: the CDK
 * stack grants exactly these (IAM statements with `dynamodb:LeadingKeys` conditions, no
 * Scan anywhere) and the local stack refuses any request outside them, so every
 * integration test proves they are enough. Keys are partition-key patterns; index grants
 * name the index's partition-key values (IAM evaluates LeadingKeys on what is queried).
 * `CREDENTIAL#*` (password hashes) is readable by auth-login alone.
 */
// A staff caller's token is checked against its profile and session on every use.
// The profile and the session in one BatchGetItem (services/staff-sessions.ts: assertTokenCurrent).
const STAFF_TOKEN_CHECK = on(['AGENT#*', 'SESSION#*'], 'GetItem', 'BatchGetItem');
// Pushing to a participant lists its connections and removes those the gateway reports gone.
const PUSH = on(['USER#*'], 'Query', 'DeleteItem');
// A customer's id is `guest:<ulid>` or `site:<sub>`; staff ids are free-form.
const CUSTOMER_IDS = ['guest:*', 'site:*'];
const STATUSES = ['bot', 'queued', 'assigned', 'closed'];
/** A status's byStatus partitions: its shards `<status>#<n>` and the unsharded key older items carry (conversation-items.ts). */
const statusPartitions = (statuses: readonly string[]): string[] => statuses.flatMap((status) => [status, `${status}#*`]);
/** An agent's open conversations assigned before the keys were sharded (listAssignedTo reads them until backfilled). */
const LEGACY_ASSIGNED = queryIndex('byStatus', ['assigned']);
// A skill's auto-replies, or the default's: read when a customer's message may meet the bot.
const READ_AUTO_REPLIES = on(['SKILL#*'], 'GetItem');
// Agent profile writes: the email lookup, the profile and its roster entry; a new password
// is a blind write to its credential item (and takes a legacy hash off the profile).
const AGENT_PROFILE_WRITES = [
  on(['AGENT#*', 'EMAIL#*'], 'GetItem'),
  on(['AGENT#*', 'EMAIL#*', 'ROSTER'], 'PutItem'),
  on(['AGENT#*'], 'UpdateItem'),
  on(['CREDENTIAL#*'], 'PutItem'),
];
// Opening a conversation: the customer's open pointer, the conversation and its first message.
// Business hours (and `_default`) are read to word the off-hours notice and answer availability.
const READ_HOURS = on(['SKILL#*'], 'GetItem');
// Announcing a skill's availability: its hours, what was last announced, and its waiting customers.
// byCustomer, byAgent and byStatus hold keys only (table-schema.ts INDEX_PROJECTIONS): what a
// Query on them lists is then read by BatchGetItem.
const READ_LISTED = on(['CONV#*'], 'BatchGetItem');
const ANNOUNCE_AVAILABILITY = [
  on(['SKILL#*'], 'GetItem', 'PutItem'),
  queryIndex('queue', ['*']),
  queryIndex('byStatus', statusPartitions(['bot'])),
  READ_LISTED,
];
// Internal notes (issue 10) live in their own partitions, NOTES#<conversationId>: only the
// staff paths below are granted them, so no customer-facing path (history, transcript, ticket
// mail) can read a note even by mistake. Writing one: its clientMsgId claim, slot and HEAD.
const WRITE_NOTES = on(['NOTES#*'], 'GetItem', 'Query', 'PutItem', 'UpdateItem');
// The configured skills (one partition, one Query): start, transfer and agent skills accept only these.
const READ_SKILLS = on(['SKILLS'], 'Query');
// A new conversation's first message and its clientMsgId claim go in one BatchWriteItem (conversation-store.ts openFor).
const OPEN_CONVERSATION = [
  on(['USER#*'], 'GetItem', 'PutItem'),
  on(['CONV#*'], 'GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem'),
];

/**
 * What the `search` events sink (services/search.ts SearchSink) needs, for the function that
 * runs the events consumer: postings written in batches, participants added to sets, and the
 * conversation and its messages read (the customer's name and email; an agent's backfill).
 */
export const SEARCH_INDEXING_ACCESS: TableAccess = [
  on(['SEARCH#*'], 'BatchWriteItem'),
  on(['SEARCHCONV#*'], 'GetItem', 'UpdateItem'),
  on(['CONV#*'], 'GetItem', 'Query'),
];

/** Per entry point and per HTTP operation (routes.ts `operation`): what its code paths touch. */
const ENTRY_ACCESS: Readonly<Record<string, TableAccess>> = {
  authorizer: [STAFF_TOKEN_CHECK],
  // The connection cap counts the user's connection records (a Query) after writing its own.
  connect: [STAFF_TOKEN_CHECK, on(['USER#*'], 'PutItem', 'DeleteItem', 'Query')],
  // Removes its record, then lists the user's others: an agent with none left starts the leave grace.
  disconnect: [on(['USER#*'], 'DeleteItem', 'Query')],
  default: [],
  // Only when Redis lost the agent: its chosen status (AGENT#<id>/STATUS, in STAFF_TOKEN_CHECK's
  // GetItem) and profile are read, its load is rebuilt from its assigned conversations (byAgent)
  // and its connections hear the restored status (PUSH).
  // (and, until the index keys are backfilled, the unsharded `assigned` partition of byStatus: docs/routing.md).
  heartbeat: [STAFF_TOKEN_CHECK, queryIndex('byAgent', ['*']), LEGACY_ASSIGNED, READ_LISTED, PUSH],
  sync: [
    STAFF_TOKEN_CHECK,
    // Conversations, read cursors and messages after each cursor (BatchGetItem: cursors read in batches).
    on(['CONV#*'], 'GetItem', 'BatchGetItem', 'Query'),
    // Staff who send noteCursors get the notes after them (the service refuses customers).
    on(['NOTES#*'], 'Query'),
    queryIndex('byCustomer', CUSTOMER_IDS),
    queryIndex('byAgent', ['*']),
    // A staff sync that finds Redis lost the agent restores it as the heartbeat does (its load
    // from its assigned conversations, its connections told `restored`).
    LEGACY_ASSIGNED,
    PUSH,
  ],
  // A start reads the skill's hours (the off-hours notice) and auto-replies (the bot): SKILL#<skill> items.
  start: [STAFF_TOKEN_CHECK, ...OPEN_CONVERSATION, READ_HOURS, READ_SKILLS, PUSH],
  message: [STAFF_TOKEN_CHECK, ...OPEN_CONVERSATION, READ_HOURS, PUSH],
  // The handoff notice is a message (its clientMsgId claim, seq slot, lastSeq), then bot -> queued.
  handoff: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'Query', 'PutItem', 'UpdateItem'), PUSH],
  typing: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem'), PUSH],
  read: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'UpdateItem'), PUSH],
  // Closing also deletes the customer's open pointer (USER#<id>/OPEN), covered by PUSH's DeleteItem.
  // Closing or transferring a waiting conversation moves its queue: those behind are told their positions.
  close: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'UpdateItem'), queryIndex('queue', ['*']), PUSH],
  // An agent's status change may change its skills' availability: their waiting customers are told.
  // The chosen status is recorded (AGENT#<id>/STATUS, one PutItem): Redis is rebuilt from it.
  status: [STAFF_TOKEN_CHECK, on(['AGENT#*'], 'PutItem'), ...ANNOUNCE_AVAILABILITY, PUSH],
  // The transfer's note is stored as an internal note (WRITE_NOTES).
  transfer: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'UpdateItem'), WRITE_NOTES, queryIndex('queue', ['*']), READ_SKILLS, PUSH],
  note: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem'), WRITE_NOTES, PUSH],
  rate: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'UpdateItem'), PUSH],
  router: [
    on(['CONV#*'], 'GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'),
    queryIndex('queue', ['*']),
    queryIndex('byAgent', ['*']),
    LEGACY_ASSIGNED,
    PUSH,
  ],
  // The presence sweep tells an expired agent's remaining connections it is offline. The
  // abandoned-chat sweep re-reads candidates, stores its notices (a message and its clientMsgId
  // claim), marks and closes conversations (the close deletes the open pointer: PUSH's
  // DeleteItem) and lists each candidate customer's connections (PUSH's Query). The
  // availability sweep announces opening and closing instants to waiting customers.
  // The ticket offers read each skill's queue and record each offer on its conversation.
  // Idle `bot` conversations are closed (the open pointer goes with PUSH's DeleteItem).
  // An agent Redis lost is judged by its chosen status and profile (AGENT#<id>) and its connections (PUSH's Query).
  reconcile: [
    on(['AGENT#*'], 'GetItem'),
    queryIndex('byStatus', statusPartitions(['queued', 'assigned', 'bot'])),
    on(['CONV#*'], 'GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'),
    ...ANNOUNCE_AVAILABILITY,
    PUSH,
  ],
  'auth-guest': [],
  // Secrets only: the signing-key rotation never touches the table.
  'rotate-signing-keys': [],
  // The only reader of CREDENTIAL#; it moves a hash an older deployment left on the profile.
  'auth-login': [
    on(['EMAIL#*', 'AGENT#*', 'CREDENTIAL#*'], 'GetItem'),
    on(['CREDENTIAL#*', 'SESSION#*'], 'PutItem'),
    on(['AGENT#*'], 'UpdateItem'),
  ],
  'auth-refresh': [STAFF_TOKEN_CHECK, on(['SESSION#*'], 'UpdateItem')],
  // Signing out of the last session records the agent's choice as offline (AGENT#<id>/STATUS).
  'auth-logout': [STAFF_TOKEN_CHECK, on(['SESSION#*'], 'UpdateItem'), on(['AGENT#*'], 'PutItem'), PUSH],
  'list-conversations': [
    STAFF_TOKEN_CHECK,
    queryIndex('byCustomer', CUSTOMER_IDS),
    queryIndex('byAgent', ['*']),
    queryIndex('byStatus', statusPartitions(STATUSES)),
    READ_LISTED,
  ],
  // An agent outside the conversation may read it if it may see the customer: their conversations (byCustomer).
  'list-messages': [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'BatchGetItem', 'Query'), queryIndex('byCustomer', CUSTOMER_IDS)],
  // The conversation (who may upload or download); downloads by agents who may see the customer read byCustomer, as history does.
  attachments: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'BatchGetItem'), queryIndex('byCustomer', CUSTOMER_IDS)],
  'list-notes': [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem'), on(['NOTES#*'], 'Query')],
  'customer-conversations': [STAFF_TOKEN_CHECK, queryIndex('byCustomer', CUSTOMER_IDS), READ_LISTED],
  // Posting lists (SEARCH#<scope>#<term>), the participants of a conversation looked up by id
  // (SEARCHCONV#), and the page's conversations (one BatchGetItem).
  search: [STAFF_TOKEN_CHECK, on(['SEARCH#*'], 'Query'), on(['SEARCHCONV#*'], 'GetItem'), on(['CONV#*'], 'GetItem', 'BatchGetItem')],
  'agents-list': [STAFF_TOKEN_CHECK, on(['ROSTER'], 'Query')],
  'agents-create': [STAFF_TOKEN_CHECK, ...AGENT_PROFILE_WRITES, READ_SKILLS],
  'agents-get': [STAFF_TOKEN_CHECK],
  // A changed email releases the old lookup; a revocation closes the agent's sockets.
  'agents-update': [STAFF_TOKEN_CHECK, ...AGENT_PROFILE_WRITES, on(['EMAIL#*'], 'DeleteItem'), READ_SKILLS, PUSH],
  'agents-delete': [STAFF_TOKEN_CHECK, on(['AGENT#*', 'EMAIL#*', 'ROSTER', 'CREDENTIAL#*'], 'DeleteItem'), PUSH],
  availability: [READ_HOURS, READ_SKILLS],
  'hours-get': [STAFF_TOKEN_CHECK, READ_HOURS],
  'hours-put': [STAFF_TOKEN_CHECK, on(['SKILL#*'], 'GetItem', 'PutItem'), READ_SKILLS],
  'list-queues': [
    STAFF_TOKEN_CHECK,
    on(['ROSTER'], 'Query'),
    queryIndex('byStatus', statusPartitions(['queued'])),
    READ_LISTED,
    queryIndex('queue', ['*']),
  ],
  // Profiles from the roster item collection, every assigned conversation from byStatus.
  roster: [STAFF_TOKEN_CHECK, on(['ROSTER'], 'Query'), queryIndex('byStatus', statusPartitions(['assigned'])), READ_LISTED],
  // The conversation and its messages, and the recipient's bounce/complaint status before sending.
  transcript: [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'Query'), on(['MAILADDR#*'], 'GetItem')],
  'mail-suppressions': [STAFF_TOKEN_CHECK, on(['MAILSUPPRESSIONS'], 'Query')],
  'mail-events': [on(['MAILADDR#*', 'MAILSUPPRESSIONS'], 'PutItem')],
  // receiveTicketReply finds the ticket by its reply token, stores the reply as a message of
  // the ticket (claim, slot, lastSeq, state) and tells the customer and the assignee.
  'mail-inbound': [on(['MAILTOKEN#*'], 'GetItem'), on(['CONV#*'], 'GetItem', 'Query', 'PutItem', 'UpdateItem'), PUSH],
  // Tickets: conversation items with status `ticket`, listed per skill and state in byStatus
  // (`ticket#<skill>#<state>`); a reply token is its own item (MAILTOKEN#<token>).
  // Converting a waiting chat reads its messages (the subject), writes the token, moves the
  // queue (those behind are told) and drops the customer's open pointer (PUSH's DeleteItem).
  ticket: [
    STAFF_TOKEN_CHECK,
    on(['CONV#*'], 'GetItem', 'Query', 'UpdateItem'),
    on(['MAILTOKEN#*'], 'PutItem'),
    queryIndex('queue', ['*']),
    PUSH,
  ],
  // The form's idempotency pointer (USER#<id>/TICKETREQ#<clientMsgId>), the token, the ticket and its first message.
  'tickets-create': [
    STAFF_TOKEN_CHECK,
    READ_SKILLS,
    on(['USER#*'], 'GetItem', 'PutItem'),
    on(['MAILTOKEN#*'], 'PutItem'),
    on(['CONV#*'], 'GetItem', 'Query', 'PutItem', 'UpdateItem'),
    PUSH,
  ],
  // Supervisors' skill list comes from the roster.
  'tickets-list': [STAFF_TOKEN_CHECK, queryIndex('byStatus', ['ticket#*']), READ_LISTED, on(['ROSTER'], 'Query')],
  'tickets-get': [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'Query'), on(['MAILADDR#*'], 'GetItem')],
  // The assignee's profile is read (AGENT#*, in STAFF_TOKEN_CHECK).
  'tickets-update': [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'UpdateItem'), PUSH],
  // The reply is a message (claim, slot, lastSeq), the thread is read for the mail.
  // The mailer reads the address's bounce/complaint status before sending.
  'tickets-reply': [STAFF_TOKEN_CHECK, on(['CONV#*'], 'GetItem', 'Query', 'PutItem', 'UpdateItem'), on(['MAILADDR#*'], 'GetItem'), PUSH],
  'auto-replies-get': [STAFF_TOKEN_CHECK, READ_AUTO_REPLIES],
  'auto-replies-put': [STAFF_TOKEN_CHECK, on(['SKILL#*'], 'PutItem'), READ_SKILLS],
  'skills-list': [STAFF_TOKEN_CHECK, READ_SKILLS],
  'skills-put': [STAFF_TOKEN_CHECK, on(['SKILLS'], 'PutItem')],
  // Refused while an agent serves it (the roster) or a conversation waits in it (its queue).
  'skills-delete': [STAFF_TOKEN_CHECK, READ_SKILLS, on(['SKILLS'], 'DeleteItem'), on(['ROSTER'], 'Query'), queryIndex('queue', ['*'])],
  // Status, load, capacity and skills all come from presence in Redis.
  'agents-online': [STAFF_TOKEN_CHECK],
  'auto-replies-test': [STAFF_TOKEN_CHECK, READ_AUTO_REPLIES],
  // Canned responses and their shortcut claims share the CANNED partition, read whole by a Query.
  'canned-responses-list': [STAFF_TOKEN_CHECK, on(['CANNED'], 'Query')],
  // The count (Query), the previous version and a held claim's owner (GetItem), the claim and
  // the response (conditional PutItem), the old shortcut's claim released (conditional DeleteItem).
  'canned-responses-put': [STAFF_TOKEN_CHECK, on(['CANNED'], 'GetItem', 'Query', 'PutItem', 'DeleteItem')],
  'canned-responses-delete': [STAFF_TOKEN_CHECK, on(['CANNED'], 'GetItem', 'DeleteItem')],
  // Endpoints share the WEBHOOKS partition (listed by one Query); each one's delivery log is
  // its own partition, WEBHOOKLOG#<id>. Only these two entry points (and the events consumer's
  // sink, which reads WEBHOOKS) touch them.
  webhooks: [STAFF_TOKEN_CHECK, on(['WEBHOOKS'], 'GetItem', 'Query', 'PutItem', 'DeleteItem'), on(['WEBHOOKLOG#*'], 'Query')],
  'webhook-delivery': [on(['WEBHOOKS'], 'GetItem'), on(['WEBHOOKLOG#*'], 'PutItem')],
  // The events consumer's sinks. Reports (docs/reports.md): a dedupe marker per event
  // (EVENT#<id>, conditional put, TTL; deleted again when applying fails), the counters of
  // its day (REPORT#<day>, single-item ADD), a rating per conversation (RATINGS#<agent>).
  // Webhooks: the endpoint list (one Query of WEBHOOKS, cached briefly) and a fan-out marker
  // per event with subscribers (WHEVENT#<id>, conditional put, TTL; deleted when queueing failed).
  // Search (docs/search.md): SEARCH_INDEXING_ACCESS.
  events: [
    on(['EVENT#*'], 'PutItem', 'DeleteItem'),
    on(['REPORT#*'], 'UpdateItem'),
    on(['RATINGS#*'], 'PutItem'),
    on(['WEBHOOKS'], 'Query'),
    on(['WHEVENT#*'], 'PutItem', 'DeleteItem'),
    ...SEARCH_INDEXING_ACCESS,
    // Retention (docs/data-rights.md; only with RETENTION_DAYS): a closed conversation's partition
    // and its notes are listed and each item given its expiry (UpdateItem), as is its search
    // participants item (SEARCHCONV#, in SEARCH_INDEXING_ACCESS); postings are rewritten (BatchWriteItem).
    on(['CONV#*'], 'UpdateItem'),
    on(['NOTES#*'], 'Query', 'UpdateItem'),
  ],
  // Customers' data rights (docs/data-rights.md). Exporting: the customer's conversations
  // (byCustomer), each one and its messages, and an audit item per action (AUDIT#<yyyy-mm>, PutItem only).
  // Erasing: every item of the conversation's partition but META and of its notes (Query, then
  // BatchWriteItem deletes, one partition at a time), the tombstone (UpdateItem on META), the
  // search postings recomputed from the messages and the participants item, the reports' copy
  // of a rating (UpdateItem), the reply token, the emails' bounce status and suppression entry,
  // the customer's own partition (USER#). With force, conversations in progress are closed
  // first as `close` does (the queue behind it, PUSH).
  'customer-data': [
    STAFF_TOKEN_CHECK,
    queryIndex('byCustomer', CUSTOMER_IDS),
    on(['CONV#*'], 'GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'BatchWriteItem'),
    on(['NOTES#*'], 'Query', 'BatchWriteItem'),
    on(['SEARCH#*'], 'BatchWriteItem'),
    on(['SEARCHCONV#*'], 'GetItem', 'DeleteItem'),
    on(['RATINGS#*'], 'UpdateItem'),
    on(['MAILTOKEN#*', 'MAILADDR#*', 'MAILSUPPRESSIONS'], 'DeleteItem'),
    on(['USER#*'], 'Query', 'BatchWriteItem', 'DeleteItem'),
    queryIndex('queue', ['*']),
    on(['AUDIT#*'], 'PutItem'),
  ],
  // A day's rows (one Query per day of the range) and an agent's ratings.
  reports: [STAFF_TOKEN_CHECK, on(['REPORT#*', 'RATINGS#*'], 'Query')],
};

const GROUPED_OPERATIONS = new Set(HTTP_ROUTES.filter((route) => route.operation !== route.name).map((route) => route.operation));

/** Table access of each operation that runs inside a group's function (by operation name). */
export const OPERATION_ACCESS: Readonly<Record<string, TableAccess>> = Object.fromEntries(
  Object.entries(ENTRY_ACCESS).filter(([name]) => GROUPED_OPERATIONS.has(name)),
);

/**
 * Table access per function (by `name`): an entry point's own, or for an HTTP route group the
 * union of its operations' (`unionOfAccess`: exactly what one of them may do). The CDK stack
 * grants these and the local stack enforces them (see ENTRY_ACCESS's notes above).
 */
export const TABLE_ACCESS: Readonly<Record<string, TableAccess>> = {
  ...Object.fromEntries(Object.entries(ENTRY_ACCESS).filter(([name]) => !GROUPED_OPERATIONS.has(name))),
  ...Object.fromEntries(
    [...new Set(HTTP_ROUTES.filter((route) => route.operation !== route.name).map((route) => route.name))].map((group) => [
      group,
      unionOfAccess(HTTP_ROUTES.filter((route) => route.name === group).map((route) => operationAccessOf(route.operation))),
    ]),
  ),
};

function operationAccessOf(operation: string): TableAccess {
  const access = ENTRY_ACCESS[operation];
  if (access === undefined) throw new Error(`No table access is declared for the HTTP operation ${operation} in functions/routes.ts`);
  return access;
}

/** The function an HTTP operation runs in: its group's, or its own (any other entry point: itself). */
export function functionServing(operation: string): string {
  return HTTP_ROUTES.find((route) => route.operation === operation)?.name ?? operation;
}

/** An entry point's table access; every entry in this file has one (test/infra/iam.test.ts). */
export function tableAccessOf(entryName: string): TableAccess {
  const access = TABLE_ACCESS[entryName];
  if (access === undefined) throw new Error(`No table access is declared for ${entryName} in functions/routes.ts`);
  return access;
}

/** One deployed function: its name, handler module and needs (each HTTP group once). */
export interface FunctionEntry {
  readonly name: string;
  readonly entry: string;
  readonly needs: Needs;
}

/** Every function the fullest stack deploys (bundle budgets, scripts/bench/function-sizes.ts). */
export function allFunctions(): FunctionEntry[] {
  const httpFunctions = new Map(HTTP_ROUTES.map((route) => [route.name, { name: route.name, entry: route.entry, needs: route.needs }]));
  return [
    { name: 'authorizer', entry: AUTHORIZER_ENTRY, needs: AUTHORIZER_NEEDS },
    ...WEBSOCKET_ROUTES.map(({ name, entry, needs }) => ({ name, entry, needs })),
    ...httpFunctions.values(),
    { name: 'router', entry: ROUTER_ENTRY, needs: ROUTER_NEEDS },
    WEBHOOK_DELIVERY_FUNCTION,
    EVENTS_CONSUMER,
    ...Object.values(MAIL_FUNCTIONS),
    ...SCHEDULED_FUNCTIONS.map(({ name, entry, needs }) => ({ name, entry, needs })),
    SIGNING_KEY_ROTATION,
  ];
}

let needsByFunction: ReadonlyMap<string, Needs> | undefined;

/** A function's needs by its name (the local stack enforces its queue grants from them). */
export function needsOfFunction(name: string): Needs {
  needsByFunction ??= new Map(allFunctions().map((fn) => [fn.name, fn.needs]));
  const needs = needsByFunction.get(name);
  if (needs === undefined) throw new Error(`No function named ${name} in functions/routes.ts`);
  return needs;
}
