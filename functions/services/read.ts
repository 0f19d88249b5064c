import { assertCanView, participantIds } from '../domain/conversation';
import { BadRequestError } from '../domain/errors';
import type { DirectoryLookup } from '../ports/connection-directory';
import type { ReadFrame } from '../protocol/client-frames';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { getConversation } from './conversations';

/**
 * `read`: moves the reader's cursor forward and tells the other participants. The cursor is
 * read beside the conversation (in parallel): a mark that does not move it forward (a second
 * tab, a resent mark) writes nothing and pushes nothing. The recipients' connections come from
 * the route's admit (docs/connection-directory.md).
 */
export async function markRead(ports: Ports, caller: Caller, frame: ReadFrame, recipients?: DirectoryLookup): Promise<void> {
  const [conversation, cursor] = await Promise.all([
    getConversation(ports, frame.conversationId),
    ports.conversations.getReadCursor(frame.conversationId, caller.user.id),
  ]);
  assertCanView(caller.user, conversation);
  if (cursor !== undefined && frame.seq <= cursor) return;
  if (frame.seq > conversation.lastSeq && !(await ports.conversations.hasMessage(conversation.id, frame.seq))) {
    throw new BadRequestError(`seq ${frame.seq} is beyond the conversation's last message`);
  }
  // Conditional still: two tabs marking at once move it once.
  const advanced = await ports.conversations.advanceReadCursor(conversation.id, caller.user.id, frame.seq);
  if (!advanced) return;
  await broadcast(
    ports,
    participantIds(conversation),
    { type: 'read', conversationId: conversation.id, reader: { id: caller.user.id, role: caller.user.role }, seq: frame.seq },
    { ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}), recipients },
  );
}
