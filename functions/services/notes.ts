import type { Conversation } from '../domain/conversation';
import { assertOpen } from '../domain/conversation';
import { userRef } from '../domain/identity';
import { pushAppended } from '../domain/announcements';
import { validateText } from '../domain/message';
import type { Note } from '../domain/note';
import { assertCanReadNotes, assertCanWriteNote, canReadNotes, noteRecipientIds } from '../domain/note';
import { epochOf } from '../domain/routing-claims';
import type { NoteFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { noteAckFrame, noteFrame } from '../protocol/server-frames';
import { broadcast, sendInOrder } from './broadcast';
import type { Caller, Ports } from './context';
import { getConversation } from './conversations';
import { BadRequestError } from '../domain/errors';

/**
 * `note`: an internal note, stored in the conversation's note sequence before the `ack`,
 * idempotent by clientMsgId like a message, then pushed as a `note` frame to the assigned
 * agent and the writer's other connections. Customers never get one: not live, not on sync,
 * not in history, mail or transcripts (those read only the message sequence).
 */
export async function writeNote(ports: Ports, caller: Caller, frame: NoteFrame): Promise<ServerFrame> {
  validateText(frame.text);
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanWriteNote(caller.user, conversation);
  const sender = userRef(caller.user);
  if (conversation.status === 'closed') {
    // A resend of a note stored before the close still gets its original ack.
    const earlier = await ports.notes.findByClientMsgId(conversation.id, sender.id, frame.clientMsgId);
    if (earlier) return noteAckFrame(earlier);
    assertOpen(conversation);
  }
  const now = ports.clock.now();
  const result = await ports.notes.append(conversation, { sender, text: frame.text, clientMsgId: frame.clientMsgId }, now.toISOString());
  // A retry pushes again too: the attempt that stored it may have failed before pushing.
  if (pushAppended(result, now)) {
    await broadcast(ports, noteRecipientIds(conversation, caller.user.id), noteFrame(result.message), {
      ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
    });
  }
  return noteAckFrame(result.message);
}

/** The clientMsgId of a transfer's note: one per transfer (every move bumps the epoch), so a retry stores it once. */
export function transferNoteId(moved: Pick<Conversation, 'epoch'>): string {
  return `transfer:${epochOf(moved)}`;
}

/**
 * A `transfer`'s `note` becomes an internal note of the conversation, written by whoever
 * transferred it, after the move: the receiving agent gets it live now (a named agent) or
 * with the conversation's notes when the router assigns it (a skill queue).
 */
export async function storeTransferNote(ports: Ports, caller: Caller, moved: Conversation, text: string | undefined): Promise<void> {
  if (text === undefined || text.trim() === '') return;
  const draft = { sender: userRef(caller.user), text, clientMsgId: transferNoteId(moved) };
  const result = await ports.notes.append(moved, draft, ports.clock.now().toISOString());
  if (!result.duplicate || result.resumed) await broadcast(ports, noteRecipientIds(moved, caller.user.id), noteFrame(result.message));
}

/** `GET /v1/conversations/{id}/notes`: a page of a conversation's notes in note-seq order (staff who may view it). */
export async function listNotes(
  ports: Ports,
  caller: Caller,
  conversationId: string,
  after: number,
  limit: number,
): Promise<{ notes: Note[]; more: boolean }> {
  if (!Number.isSafeInteger(after) || after < 0) throw new BadRequestError('after must be a whole number >= 0');
  const conversation = await getConversation(ports, conversationId);
  assertCanReadNotes(caller.user, conversation);
  return ports.notes.list(conversationId, after, limit);
}

/** How many notes one `sync` replays at most (apart from its message budget), and per read. */
export const SYNC_NOTE_BUDGET = 200;
const NOTE_PAGE_SIZE = 100;

/**
 * A staff `sync` with `noteCursors`: the `note` frames after each cursor (0 for a conversation
 * without one) of every listed conversation the caller may read notes of. Returns the note seq
 * reached per conversation, whether the budget cut it short, and false as `delivered` when the
 * connection went away.
 */
export async function replayNotes(
  ports: Ports,
  caller: Caller & { connectionId: string },
  conversations: readonly Conversation[],
  noteCursors: Readonly<Record<string, number>>,
): Promise<{ reached: Record<string, number>; more: boolean; delivered: boolean }> {
  const reached: Record<string, number> = {};
  let budget = SYNC_NOTE_BUDGET;
  let more = false;
  for (const conversation of conversations) {
    if (!canReadNotes(caller.user, conversation)) continue;
    let cursor = noteCursors[conversation.id] ?? 0;
    let pageMore = true;
    while (pageMore && budget > 0) {
      const page = await ports.notes.list(conversation.id, cursor, Math.min(NOTE_PAGE_SIZE, budget));
      if (!(await sendInOrder(ports, caller.connectionId, page.notes.map(noteFrame)))) return { reached, more, delivered: false };
      budget -= page.notes.length;
      cursor = page.notes.at(-1)?.seq ?? cursor;
      pageMore = page.more;
    }
    if (pageMore) more = true;
    reached[conversation.id] = cursor;
  }
  return { reached, more, delivered: true };
}
