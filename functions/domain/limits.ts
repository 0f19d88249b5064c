/**
 * The abuse limits, in one table: every rule (what it counts, per what, its setting and what
 * happens when its store is unreachable), and every WebSocket action and HTTP endpoint with
 * the rules it passes. Pure data and lookups; the enforcement is in handlers/shared.
 */

/** How many conversations a session (`sync`) lists. */
export const SESSION_CONVERSATION_LIMIT = 50;
/**
 * The most cursors one `sync` may carry: the session's list plus as many again that fell off
 * it, which a client met live since its last sync. More is refused as `too_large` before
 * anything is read (one frame of 3,172 cursors used to cost 3,172 reads).
 */
export const MAX_SYNC_CURSORS = 2 * SESSION_CONVERSATION_LIMIT;

/** What a rule's counter is keyed by. */
export type LimitSubject = 'connection' | 'user' | 'ip';

/**
 * When the counter store (Redis) cannot be reached: `open` lets the request through (cheap
 * actions, and the ones a chat cannot work without), `closed` refuses it with `unavailable`
 * (actions that cost real work or mint something: tokens, sign-ins, conversations, sockets).
 */
export type FailPolicy = 'open' | 'closed';

export interface LimitRule {
  readonly per: LimitSubject;
  /** The configuration variable holding `<requests>/<seconds>`. */
  readonly setting: string;
  readonly failPolicy: FailPolicy;
  /** The refusal a client reads. */
  readonly refusal: string;
}

export const LIMIT_RULES = {
  connectPerIp: {
    per: 'ip',
    setting: 'RATE_LIMIT_CONNECTS_PER_IP',
    failPolicy: 'closed',
    refusal: 'Too many connections opened from this address; try again later',
  },
  connectPerUser: {
    per: 'user',
    setting: 'RATE_LIMIT_CONNECTS_PER_USER',
    failPolicy: 'closed',
    refusal: 'Too many connections opened with this identity; try again later',
  },
  message: {
    per: 'connection',
    setting: 'RATE_LIMIT_MESSAGES',
    failPolicy: 'open',
    refusal: 'Too many messages from this connection; slow down',
  },
  messagePerUser: {
    per: 'user',
    setting: 'RATE_LIMIT_MESSAGES_PER_USER',
    failPolicy: 'open',
    refusal: 'Too many messages from this user; slow down',
  },
  start: { per: 'user', setting: 'RATE_LIMIT_STARTS', failPolicy: 'closed', refusal: 'Too many conversations started; try again later' },
  typing: { per: 'user', setting: 'RATE_LIMIT_TYPING', failPolicy: 'open', refusal: 'Too many typing indicators; slow down' },
  read: { per: 'user', setting: 'RATE_LIMIT_READS', failPolicy: 'open', refusal: 'Too many read receipts; slow down' },
  sync: { per: 'user', setting: 'RATE_LIMIT_SYNCS', failPolicy: 'open', refusal: 'Too many syncs; wait before syncing again' },
  heartbeat: { per: 'user', setting: 'RATE_LIMIT_HEARTBEATS', failPolicy: 'open', refusal: 'Too many heartbeats; slow down' },
  conversationChange: {
    per: 'user',
    setting: 'RATE_LIMIT_CONVERSATION_CHANGES',
    failPolicy: 'open',
    refusal: 'Too many status, close, transfer or rating requests; slow down',
  },
  guestToken: {
    per: 'ip',
    setting: 'RATE_LIMIT_GUEST_TOKENS',
    failPolicy: 'closed',
    refusal: 'Too many guest tokens requested from this address; try again later',
  },
  login: {
    per: 'ip',
    setting: 'RATE_LIMIT_LOGINS',
    failPolicy: 'closed',
    refusal: 'Too many sign-in attempts from this address; try again later',
  },
  staffSession: {
    per: 'ip',
    setting: 'RATE_LIMIT_SESSION_CALLS',
    failPolicy: 'closed',
    refusal: 'Too many session refreshes or sign-outs from this address; try again later',
  },
  apiRead: { per: 'user', setting: 'RATE_LIMIT_API_READS', failPolicy: 'open', refusal: 'Too many requests; slow down' },
  agentAdmin: { per: 'user', setting: 'RATE_LIMIT_AGENT_CHANGES', failPolicy: 'closed', refusal: 'Too many agent changes; slow down' },
  transcript: {
    per: 'user',
    setting: 'RATE_LIMIT_TRANSCRIPTS',
    failPolicy: 'closed',
    refusal: 'Too many transcripts requested; try again later',
  },
  // Open: a widget that cannot learn the availability would hide a team that may be there.
  availability: {
    per: 'ip',
    setting: 'RATE_LIMIT_AVAILABILITY',
    failPolicy: 'open',
    refusal: 'Too many availability requests from this address; slow down',
  },
  settingsChange: {
    per: 'user',
    setting: 'RATE_LIMIT_SETTINGS_CHANGES',
    failPolicy: 'closed',
    refusal: 'Too many settings changes; slow down',
  },
} as const satisfies Record<string, LimitRule>;

export type LimitRuleName = keyof typeof LIMIT_RULES;
export const LIMIT_RULE_NAMES = Object.keys(LIMIT_RULES) as LimitRuleName[];

/** One counter to take: a rule and the key it counts under. */
export interface LimitCheck {
  readonly rule: LimitRuleName;
  readonly key: string;
}

/** Who is asking, as far as limits care. */
export interface LimitSubjects {
  readonly userId: string;
  readonly connectionId?: string | undefined;
  readonly ip?: string | undefined;
}

/** A route asked for a counter its request cannot key: a mistake in this table or its caller. */
export class LimitKeyError extends Error {
  override readonly name = 'LimitKeyError';
}

function keyFor(rule: LimitRuleName, subjects: LimitSubjects): string {
  const per = LIMIT_RULES[rule].per;
  const key = per === 'user' ? subjects.userId : per === 'connection' ? subjects.connectionId : subjects.ip;
  // A missing key would pool every caller into one counter: refuse to build it instead.
  if (!key) throw new LimitKeyError(`Limit ${rule} is counted per ${per}, and the request has none`);
  return key;
}

/** Rules per WebSocket route. `message` without a conversation starts one, so it passes `start` too. */
const WEBSOCKET_RULES: Readonly<Record<string, (frame: Readonly<Record<string, unknown>>) => readonly LimitRuleName[]>> = {
  $connect: () => ['connectPerIp', 'connectPerUser'],
  heartbeat: () => ['heartbeat'],
  sync: () => ['sync'],
  start: () => ['start'],
  message: (frame) => (typeof frame.conversationId === 'string' ? ['message', 'messagePerUser'] : ['message', 'messagePerUser', 'start']),
  typing: () => ['typing'],
  read: () => ['read'],
  close: () => ['conversationChange'],
  status: () => ['conversationChange'],
  transfer: () => ['conversationChange'],
  rate: () => ['conversationChange'],
  transcript: () => ['transcript'],
  ticket: () => ['conversationChange'],
  handoff: () => ['conversationChange'],
  // A note is written like a message and counts with the writer's messages.
  note: () => ['message', 'messagePerUser'],
};

/**
 * Routes deliberately without a counter: `$disconnect` (API Gateway calls it, not the client)
 * and `$default` (unknown or malformed frames: answered without any I/O, so a check would
 * cost more than the frame; the stage throttle bounds them).
 */
export const UNLIMITED_WEBSOCKET_ROUTES = ['$disconnect', '$default'] as const;

/** Rules per HTTP route name (routes.ts). */
const HTTP_RULES: Readonly<Record<string, readonly LimitRuleName[]>> = {
  'auth-guest': ['guestToken'],
  'auth-login': ['login'],
  'auth-refresh': ['staffSession'],
  'auth-logout': ['staffSession'],
  'list-conversations': ['apiRead'],
  'list-messages': ['apiRead'],
  'list-notes': ['apiRead'],
  'customer-conversations': ['apiRead'],
  // A search reads up to 40 posting pages and one batch of conversations: counted like a read.
  search: ['apiRead'],
  'agents-list': ['apiRead'],
  'agents-get': ['apiRead'],
  'list-queues': ['apiRead'],
  roster: ['apiRead'],
  'mail-suppressions': ['apiRead'],
  'agents-create': ['agentAdmin'],
  'agents-update': ['agentAdmin'],
  'agents-delete': ['agentAdmin'],
  // A ticket is a conversation: the form counts as a start; a reply as a message (and an email).
  'tickets-create': ['start'],
  'tickets-list': ['apiRead'],
  'tickets-get': ['apiRead'],
  'tickets-update': ['conversationChange'],
  'tickets-reply': ['messagePerUser'],
  availability: ['availability'],
  'hours-get': ['apiRead'],
  'hours-put': ['settingsChange'],
  'auto-replies-get': ['apiRead'],
  // Trying a question compiles up to 50 patterns: counted like a read, per user.
  'auto-replies-test': ['apiRead'],
  'auto-replies-put': ['settingsChange'],
  'canned-responses-list': ['apiRead'],
  'canned-responses-put': ['settingsChange'],
  'canned-responses-delete': ['settingsChange'],
  'skills-list': ['apiRead'],
  'skills-put': ['settingsChange'],
  'skills-delete': ['settingsChange'],
  'agents-online': ['apiRead'],
  // Webhooks (one function): reads count as reads; changes and test pings as settings saves.
  webhooks: ['apiRead'],
  'webhooks-change': ['settingsChange'],
  reports: ['apiRead'],
  // Issue 11: an upload grant comes before a message, a download URL per file shown; both counted with the user's messages.
  attachments: ['messagePerUser'],
  // Issue 11: exports and erasures of a customer's data (admins), rare and heavy: counted as settings changes.
  'customer-data': ['settingsChange'],
};

export function isLimitedWebSocketRoute(routeKey: string): boolean {
  return Object.hasOwn(WEBSOCKET_RULES, routeKey);
}

export function isLimitedHttpRoute(name: string): boolean {
  return Object.hasOwn(HTTP_RULES, name);
}

/** The counters a WebSocket route (action) takes for this frame; none for an unlisted route. */
export function websocketLimitChecks(routeKey: string, frame: Readonly<Record<string, unknown>>, subjects: LimitSubjects): LimitCheck[] {
  const rules = Object.hasOwn(WEBSOCKET_RULES, routeKey) ? WEBSOCKET_RULES[routeKey]!(frame) : [];
  return rules.map((rule) => ({ rule, key: keyFor(rule, subjects) }));
}

/** The counters an HTTP route takes per one kind of subject (`user` or `ip`), keyed by `key`. */
function httpLimitChecks(routeName: string, per: LimitRule['per'], key: string): LimitCheck[] {
  const rules = Object.hasOwn(HTTP_RULES, routeName) ? HTTP_RULES[routeName]! : [];
  return rules.filter((rule) => LIMIT_RULES[rule].per === per).map((rule) => ({ rule, key }));
}

/** HTTP rules counted per user: checked once the caller is known. */
export function httpUserLimitChecks(routeName: string, userId: string): LimitCheck[] {
  return httpLimitChecks(routeName, 'user', userId);
}

/** HTTP rules counted per client IP: checked before anything else, so floods of bad requests count too. */
export function httpIpLimitChecks(routeName: string, ip: string): LimitCheck[] {
  return httpLimitChecks(routeName, 'ip', ip);
}
