import type { Conversation } from '../domain/conversation';
import { assertCanParticipate, assertOpen, participantIds } from '../domain/conversation';
import { BadRequestError } from '../domain/errors';
import { userRef } from '../domain/identity';
import { pushAppended } from '../domain/announcements';
import { validateCaption } from '../domain/message';
import type { MessageFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import type { DirectoryLookup } from '../ports/connection-directory';
import { ackFrame, messageFrame } from '../protocol/server-frames';
import { acceptAttachment } from './attachments';
import { recordFirstResponse } from './assignment-metrics';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { answerCustomer, lazyBot } from './bot';
import { getConversation, openConversation } from './conversations';
import { messageCreated } from '../domain/event-facts';
import { publishEvents } from './domain-events';

async function targetConversation(ports: Ports, caller: Caller, conversationId: string | undefined): Promise<Conversation> {
  if (conversationId) return getConversation(ports, conversationId);
  if (caller.user.role !== 'customer') throw new BadRequestError('conversationId is required');
  const open = await ports.conversations.findOpen(caller.user.id);
  return open ?? (await openConversation(ports, caller, {})).conversation;
}

/**
 * `message`: stored with the next seq before the `ack` (section 5.2), idempotent by clientMsgId
 * (5.3), then pushed to every other connection of every participant (5.6); a recent
 * message's retry pushes it again (domain/announcements.ts).
 */
export async function sendMessage(
  ports: Ports,
  caller: Caller,
  frame: MessageFrame,
  /** The recipients' connections the route's admit read from the directory (docs/connection-directory.md). */
  recipients?: DirectoryLookup,
): Promise<ServerFrame[]> {
  const text = validateCaption(frame.text, frame.attachment !== undefined);
  // An upload belongs to a conversation: a message carrying one must name it.
  if (frame.attachment && !frame.conversationId) throw new BadRequestError('conversationId is required with an attachment');
  const conversation = await targetConversation(ports, caller, frame.conversationId);
  assertCanParticipate(caller.user, conversation);
  const sender = userRef(caller.user);
  if (conversation.status === 'closed') {
    // A resend of a message stored before the close still gets its original ack.
    const earlier = await ports.conversations.findByClientMsgId(conversation.id, sender.id, frame.clientMsgId, frame.cursor);
    if (earlier) return [ackFrame(earlier)];
    assertOpen(conversation);
  }
  // Issue 11: the referenced upload is checked (exists, size, magic bytes) before anything is stored.
  const attachment = frame.attachment ? await acceptAttachment(ports, caller.user, conversation, frame.attachment.id) : undefined;
  const now = ports.clock.now();
  const result = await ports.conversations.appendMessage(
    conversation,
    {
      sender,
      text,
      clientMsgId: frame.clientMsgId,
      ...(attachment ? { attachment } : {}),
      // Extension (issue 14): with the sender's cursor the log keeps no clientMsgId record (one request fewer).
      ...(frame.cursor !== undefined ? { cursor: frame.cursor } : {}),
    },
    now.toISOString(),
  );
  if (!result.duplicate) {
    ports.metrics.count('MessagesStored');
    if (caller.user.role !== 'customer') recordFirstResponse(ports, conversation, now.toISOString());
  }
  // A retry pushes again too: the attempt that stored it may have failed before pushing.
  if (pushAppended(result, now)) {
    await broadcast(ports, participantIds(conversation), messageFrame(result.message), {
      ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
      recipients,
    });
    // Stored now or a recent retry's: the same id either way (consumers count it once).
    await publishEvents(ports, [messageCreated(conversation, result.message)]);
  }
  // The welcome after a conversation's first message; the bot's answer (or handoff) in `bot`.
  const turn = await answerCustomer(ports, caller, conversation, result.message, {
    first: conversation.lastSeq === 0 || result.message.seq === 1,
    bot: lazyBot(ports, conversation.skill),
  });
  return [ackFrame(result.message), ...turn.frames];
}
