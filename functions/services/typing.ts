import { assertCanParticipate, assertOpen, participantIds } from '../domain/conversation';
import { userRef } from '../domain/identity';
import type { DirectoryLookup } from '../ports/connection-directory';
import type { TypingFrame } from '../protocol/client-frames';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { getConversation } from './conversations';

/**
 * `typing`: relayed to the other participants, never stored. The conversation is read for
 * authorization (a participant of an open conversation: the directory's participant hint is a
 * cache of the last push, not a record, so it does not authorize; docs/cost.md); the
 * recipients' connections come from the route's admit (docs/connection-directory.md).
 */
export async function typing(ports: Ports, caller: Caller, frame: TypingFrame, recipients?: DirectoryLookup): Promise<void> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanParticipate(caller.user, conversation);
  assertOpen(conversation);
  await broadcast(
    ports,
    participantIds(conversation),
    { type: 'typing', conversationId: conversation.id, sender: userRef(caller.user) },
    { exceptUserId: caller.user.id, recipients },
  );
}
