/**
 * Parley wire protocol v1 as this library sees it (PROTOCOL.md sections 3-4). Defined here,
 * not imported from the backend, so the library ships to browsers with no dependencies.
 */

export type Role = 'customer' | 'agent' | 'supervisor' | 'admin' | 'system';

export type ErrorCode =
  | 'bad_request'
  | 'unknown_action'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface Sender {
  readonly id: string;
  readonly role: Role;
  readonly name?: string;
}

export interface ConversationSummary {
  readonly id: string;
  readonly status: 'bot' | 'queued' | 'assigned' | 'closed' | 'ticket';
  readonly customer: { readonly id: string; readonly name?: string };
  readonly agent?: { readonly id: string; readonly name?: string };
  readonly skill?: string;
  readonly lastSeq: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Extension: set while status is `ticket`. */
  readonly ticket?: { readonly state: 'open' | 'pending' | 'solved'; readonly email: string };
  /** Extension: the customer may turn this waiting chat into a ticket. */
  readonly offer?: 'ticket';
}

/** One stored chat message, as `message` frames and history carry it. */
export interface ChatMessage {
  readonly conversationId: string;
  readonly seq: number;
  readonly messageId: string;
  readonly clientMsgId?: string;
  readonly sender: Sender;
  /** Empty when the message is only an attachment. */
  readonly text: string;
  /** Extension (issue 11): the file the message carries (docs/attachments.md). */
  readonly attachment?: AttachmentInfo;
  readonly ts: string;
}

/** Extension (issue 11): a message's file; its download URL comes from GET /v1/conversations/{id}/attachments/{attachmentId}. */
export interface AttachmentInfo {
  readonly id: string;
  readonly name?: string;
  readonly contentType: string;
  readonly size: number;
  /** `image`: shown as a preview; `file`: a card with name and size. */
  readonly kind: 'image' | 'file';
}

export interface SessionFrame {
  readonly type: 'session';
  readonly user: Sender;
  readonly heartbeatSeconds: number;
  /**
   * Extension (issue 14): sync once more this long after the connection's first `session`: a
   * message whose send began before the connection opened may be stored after its first sync,
   * and its push did not know the connection. Absent from older servers: then no recheck.
   */
  readonly recheckSeconds?: number;
  readonly conversations: ConversationSummary[];
}
export interface SyncedFrame {
  readonly type: 'synced';
  readonly conversations: Record<string, number>;
  /** Extension (issue 10): the note seq reached per conversation, when the sync sent noteCursors. */
  readonly noteCursors?: Record<string, number>;
  readonly more?: true;
}
export interface PongFrame {
  readonly type: 'pong';
  readonly ts?: number | string;
  readonly serverTime: string;
}
export interface AckFrame {
  readonly type: 'ack';
  readonly clientMsgId: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly messageId: string;
  readonly ts: string;
  /** Extension (issue 10): the ack of a `note`; its seq is in the conversation's note sequence. */
  readonly internal?: true;
}
export interface MessageFrame extends ChatMessage {
  readonly type: 'message';
}
/**
 * Extension (issue 14): the answer to a `sync` sent with `batched: true`: several of a
 * conversation's missed messages, in seq order, each exactly as its `message` frame without `type`.
 */
export interface MessagesFrame {
  readonly type: 'messages';
  readonly conversationId: string;
  readonly messages: ChatMessage[];
}
/** Extension (issue 10): an internal note (staff only); `seq` numbers the conversation's notes, apart from its messages. */
export interface NoteFrame extends ChatMessage {
  readonly type: 'note';
}
export interface ConversationFrame {
  readonly type: 'conversation';
  readonly conversation: ConversationSummary;
}
export interface QueuedFrame {
  readonly type: 'queued';
  readonly conversationId: string;
  readonly position: number;
  readonly etaSeconds: number;
  /** Extension: agents online serving the skill; with 0 the ETA means nothing and is not shown. */
  readonly agentsOnline?: number;
}
export interface AssignedFrame {
  readonly type: 'assigned';
  readonly conversationId: string;
  readonly agent: { readonly id: string; readonly name?: string };
}
/** Where a transfer came from or went to: an agent, or a skill queue. */
type TransferEnd = { readonly agent: { readonly id: string; readonly name?: string } } | { readonly skill: string };
export interface TransferredFrame {
  readonly type: 'transferred';
  readonly conversationId: string;
  readonly from: TransferEnd;
  readonly to: TransferEnd;
  readonly note?: string;
}
export interface TypingFrame {
  readonly type: 'typing';
  readonly conversationId: string;
  readonly sender: Sender;
}
export interface ReadFrame {
  readonly type: 'read';
  readonly conversationId: string;
  readonly reader: { readonly id: string; readonly role: Role };
  readonly seq: number;
}
export interface ClosedFrame {
  readonly type: 'closed';
  readonly conversationId: string;
  readonly by: { readonly id: string; readonly role: Role };
  readonly ts: string;
  /** Extension: why it closed, e.g. `abandoned` when resolved for the customer's absence. */
  readonly reason?: string;
}
export interface StatusFrame {
  readonly type: 'status';
  readonly status: AgentStatus;
  /**
   * Extension: the server set it, not the agent. `lapsed`: offline because its heartbeats
   * stopped (its chosen status stands and comes back with its next heartbeat); `restored`:
   * its heartbeat brought back the status it had chosen. Absent on echoes of its own choice.
   */
  readonly reason?: 'lapsed' | 'restored';
}
export interface RatedFrame {
  readonly type: 'rated';
  readonly conversationId: string;
  readonly score: number;
}
/** Extension: whether a skill's team can answer now (pushed when it changes). */
export interface AvailabilityFrame {
  readonly type: 'availability';
  readonly skill: string;
  readonly open: boolean;
  readonly agentsOnline: number;
  readonly nextOpening?: string;
  readonly behaviour: 'hide' | 'form' | 'queue';
  readonly timeZone: string;
}
/** Extension: the customer may leave an email and turn the waiting chat into a ticket. */
export interface OfferFrame {
  readonly type: 'offer';
  readonly conversationId: string;
  readonly offer: 'ticket';
  readonly reason: 'wait' | 'closed' | 'no_agent';
}
/** Extension: the transcript is on its way to this address. */
export interface TranscriptFrame {
  readonly type: 'transcript';
  readonly conversationId: string;
  readonly email: string;
}
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
  readonly action?: string;
  readonly clientMsgId?: string;
  readonly conversationId?: string;
  readonly retryAfterMs?: number;
}

export type ServerFrame =
  | SessionFrame
  | SyncedFrame
  | PongFrame
  | AckFrame
  | MessageFrame
  | MessagesFrame
  | NoteFrame
  | ConversationFrame
  | QueuedFrame
  | AssignedFrame
  | TransferredFrame
  | TypingFrame
  | ReadFrame
  | ClosedFrame
  | StatusFrame
  | RatedFrame
  | AvailabilityFrame
  | OfferFrame
  | TranscriptFrame
  | ErrorFrame;

export type AgentStatus = 'online' | 'away' | 'offline';

export interface CustomerProfile {
  readonly name?: string;
  readonly email?: string;
}

/**
 * Extension: the visitor's language and time zone, so server notices speak them; and (issue
 * 10) where the chat started, shown to staff: the page and referrer (absolute http/https, at
 * most 2,000 characters) and the browser's user agent (at most 300 characters).
 */
export interface VisitorContext {
  readonly locale?: string;
  readonly timeZone?: string;
  readonly page?: string;
  readonly referrer?: string;
  readonly userAgent?: string;
}

export type ClientFrame =
  | { action: 'sync'; cursors?: Record<string, number>; noteCursors?: Record<string, number>; batched?: true }
  | { action: 'heartbeat'; ts?: number | string }
  | { action: 'start'; skill?: string; text?: string; clientMsgId?: string; profile?: CustomerProfile; visitor?: VisitorContext }
  // `cursor` (issue 14): the sender's cursor when it first sent this clientMsgId, the same on every resend.
  | { action: 'message'; conversationId?: string; clientMsgId: string; text?: string; attachment?: { id: string }; cursor?: number }
  | { action: 'typing'; conversationId: string }
  | { action: 'read'; conversationId: string; seq: number }
  | { action: 'close'; conversationId: string; reason?: string }
  | { action: 'transfer'; conversationId: string; toAgentId?: string; toSkill?: string; note?: string }
  | { action: 'status'; status: AgentStatus }
  | { action: 'rate'; conversationId: string; score: number; comment?: string }
  | { action: 'handoff'; conversationId: string }
  | { action: 'ticket'; conversationId: string; email: string; name?: string }
  | { action: 'transcript'; conversationId: string; email?: string }
  | { action: 'note'; conversationId: string; clientMsgId: string; text: string };

// A Record, so the compiler insists every frame type is listed.
const SERVER_FRAME_TYPES = new Set<string>(
  Object.keys({
    session: true,
    synced: true,
    pong: true,
    ack: true,
    message: true,
    messages: true,
    note: true,
    conversation: true,
    queued: true,
    assigned: true,
    transferred: true,
    typing: true,
    read: true,
    closed: true,
    status: true,
    rated: true,
    availability: true,
    offer: true,
    transcript: true,
    error: true,
  } satisfies Record<ServerFrame['type'], true>),
);

/** A frame from the server, or undefined for anything else (e.g. API Gateway's own "Internal server error"). */
export function parseServerFrame(data: unknown): ServerFrame | undefined {
  if (typeof data !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && SERVER_FRAME_TYPES.has(type) ? (value as ServerFrame) : undefined;
}

/** Errors that will not go away by sending the same frame again. */
export function isDefinitiveError(code: ErrorCode): boolean {
  return code !== 'unavailable' && code !== 'rate_limited' && code !== 'unauthorized' && code !== 'internal';
}

/** The protocol's text limit: 1-8,000 characters (code points) after trimming. */
export const MAX_TEXT_CHARS = 8_000;
/** The most cursors the server takes in one `sync` (twice the conversations a `session` lists). */
export const MAX_SYNC_CURSORS = 100;
