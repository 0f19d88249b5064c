import type { Attachment } from '../domain/attachment';
import type { ConversationSummary } from '../domain/conversation';
import type { ErrorCode } from '../domain/errors';
import type { Message } from '../domain/message';
import type { Note } from '../domain/note';
import type { UserRef } from '../domain/identity';

/** Server frames of protocol v1 (section 4). */
export type ServerFrame =
  | {
      type: 'session';
      user: { id: string; role: string; name: string };
      heartbeatSeconds: number;
      // Extension (issue 14): sync once more this long after the connection's first session (docs/delivery.md).
      recheckSeconds: number;
      conversations: ConversationSummary[];
    }
  | { type: 'synced'; conversations: Record<string, number>; noteCursors?: Record<string, number>; more?: true }
  | { type: 'pong'; ts?: number | string; serverTime: string }
  | { type: 'ack'; clientMsgId: string; conversationId: string; seq: number; messageId: string; ts: string; internal?: true }
  | ({ type: 'message' } & MessagePayload)
  /** Extension (issue 14): a `sync` with `batched: true` replays its backlog in these, several messages a frame. */
  | { type: 'messages'; conversationId: string; messages: MessagePayload[] }
  | ({ type: 'note' } & MessagePayload)
  | { type: 'conversation'; conversation: ConversationSummary }
  | { type: 'queued'; conversationId: string; position: number; etaSeconds: number; agentsOnline?: number }
  | { type: 'assigned'; conversationId: string; agent: { id: string; name: string } }
  | { type: 'transferred'; conversationId: string; from: TransferEnd; to: TransferEnd; note?: string }
  | { type: 'typing'; conversationId: string; sender: UserRef }
  | { type: 'read'; conversationId: string; reader: { id: string; role: string }; seq: number }
  | { type: 'closed'; conversationId: string; by: { id: string; role: string }; ts: string; reason?: string }
  | StatusChangeFrame
  | { type: 'rated'; conversationId: string; score: number }
  | AvailabilityFrame
  | { type: 'offer'; conversationId: string; offer: 'ticket'; reason: TicketOfferReason }
  | { type: 'transcript'; conversationId: string; email: string }
  | ErrorFrame;

/**
 * Extension (issue 15): `reason` says the server set the status, not the agent: `lapsed`
 * (offline: its heartbeats stopped, or Redis lost it and none came within the grace) or
 * `restored` (its heartbeat brought back the status it had chosen). Absent on echoes.
 */
export interface StatusChangeFrame {
  type: 'status';
  status: string;
  reason?: 'lapsed' | 'restored';
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
  clientMsgId?: string;
  conversationId?: string;
  retryAfterMs?: number;
}

/** Extension (issue 9): whether a skill's team can answer now, pushed to its waiting customers when it changes. */
export interface AvailabilityFrame {
  type: 'availability';
  skill: string;
  open: boolean;
  agentsOnline: number;
  nextOpening?: string;
  behaviour: 'hide' | 'form' | 'queue';
  timeZone: string;
}

/** Why a waiting customer is offered to leave an email: waited too long, the team closed, nobody online. */
export type TicketOfferReason = 'wait' | 'closed' | 'no_agent';

/** Where a transfer came from or went to: an agent, or a skill queue. */
export type TransferEnd = { agent: { id: string; name: string } } | { skill: string };

interface MessagePayload {
  conversationId: string;
  seq: number;
  messageId: string;
  clientMsgId?: string;
  sender: UserRef;
  text: string;
  attachment?: Attachment;
  ts: string;
}

export function messageFrame(message: Message): ServerFrame {
  return {
    type: 'message',
    conversationId: message.conversationId,
    seq: message.seq,
    messageId: message.messageId,
    ...(message.clientMsgId ? { clientMsgId: message.clientMsgId } : {}),
    sender: message.sender,
    text: message.text,
    ...(message.attachment ? { attachment: message.attachment } : {}),
    ts: message.ts,
  };
}

/**
 * The most a `messages` frame holds, serialized (bytes of UTF-8 JSON): under API Gateway's
 * 128 KB per WebSocket frame with room for the frame's own fields.
 */
export const MESSAGES_FRAME_MAX_BYTES = 96 * 1024;

/**
 * A conversation's messages (in seq order) as `messages` frames of at most `maxBytes` each,
 * in order; a message too large to share a frame goes alone.
 */
export function messagesFrames(conversationId: string, messages: readonly Message[], maxBytes = MESSAGES_FRAME_MAX_BYTES): ServerFrame[] {
  const frames: ServerFrame[] = [];
  const overhead = Buffer.byteLength(JSON.stringify({ type: 'messages', conversationId, messages: [] }));
  let batch: MessagePayload[] = [];
  let size = overhead;
  for (const message of messages) {
    const { type: _type, ...payload } = messageFrame(message) as { type: 'message' } & MessagePayload;
    // A comma between entries.
    const bytes = Buffer.byteLength(JSON.stringify(payload)) + 1;
    if (batch.length > 0 && size + bytes > maxBytes) {
      frames.push({ type: 'messages', conversationId, messages: batch });
      batch = [];
      size = overhead;
    }
    batch.push(payload);
    size += bytes;
  }
  if (batch.length > 0) frames.push({ type: 'messages', conversationId, messages: batch });
  return frames;
}

export function ackFrame(message: Message): ServerFrame & { type: 'ack' } {
  return {
    type: 'ack',
    clientMsgId: message.clientMsgId ?? '',
    conversationId: message.conversationId,
    seq: message.seq,
    messageId: message.messageId,
    ts: message.ts,
  };
}

/** Extension (issue 10): an internal note, to staff only; `seq` is in the conversation's note sequence. */
export function noteFrame(note: Note): ServerFrame & { type: 'note' } {
  return { ...(messageFrame(note) as MessagePayload), type: 'note' };
}

/** A note's `ack`: `internal: true` says its seq is a note seq, not a message seq. */
export function noteAckFrame(note: Note): ServerFrame & { type: 'ack' } {
  return { ...ackFrame(note), internal: true };
}
