import type { Conversation } from '../domain/conversation';
import { assertCanClose, assertCanRate, participantIds, toSummary } from '../domain/conversation';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { displayName, userRef } from '../domain/identity';
import { type Message, validateText } from '../domain/message';
import type { CloseFrame, RateFrame, StartFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { ackFrame, messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { noticeIfAway, type Visitor } from './off-hours-notice';
import { afterClose } from './routing';

export async function getConversation(ports: Ports, conversationId: string): Promise<Conversation> {
  const conversation = await ports.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError(`Conversation ${conversationId} does not exist`);
  return conversation;
}

/**
 * The customer's open conversation, created if there is none. Re-publishing the routing
 * trigger for a conversation still queued is harmless (the router is idempotent) and means a
 * start whose first trigger was lost is never stranded. A new conversation the team cannot
 * answer now gets the off-hours notice before the router hears of it (off-hours-notice.ts),
 * unless `deferRouting`: then the caller stores its first message, calls `afterOpen` itself.
 */
export async function openConversation(
  ports: Ports,
  caller: Caller,
  options: { skill?: string; profile?: { name?: string; email?: string }; deferRouting?: boolean },
): Promise<{ conversation: Conversation; created: boolean }> {
  const { user } = caller;
  if (user.role !== 'customer') throw new ForbiddenError('Only customers start conversations');
  const now = ports.clock.now().toISOString();
  const result = await ports.conversations.openFor({
    id: ports.ids.next(),
    customer: {
      id: user.id,
      name: options.profile?.name ?? displayName(user),
      ...(options.profile?.email ? { email: options.profile.email } : {}),
    },
    skill: options.skill ?? ports.settings.defaultSkill,
    now,
  });
  if (result.created) {
    await broadcast(
      ports,
      [user.id],
      { type: 'conversation', conversation: toSummary(result.conversation) },
      {
        ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
      },
    );
  }
  if (!options.deferRouting) {
    const notice = await afterOpen(ports, result, undefined);
    if (notice) await broadcast(ports, participantIds(result.conversation), messageFrame(notice));
  }
  return result;
}

/**
 * Once a conversation is open (and its first message stored): the off-hours notice if it is
 * new and the team cannot answer, then the routing trigger while it waits. The notice comes
 * first so the router, finding the no-agent mark taken, adds no second one. Returns the notice
 * for the caller to deliver.
 */
async function afterOpen(
  ports: Ports,
  opened: { conversation: Conversation; created: boolean },
  visitor: Visitor | undefined,
): Promise<Message | undefined> {
  const { conversation } = opened;
  const notice = opened.created && conversation.status === 'queued' ? await noticeIfAway(ports, conversation, visitor) : undefined;
  if (conversation.status === 'queued') {
    await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: conversation.id });
  }
  return notice;
}

/**
 * `start`: replies `conversation`. With `text`, the text becomes a message (idempotent by
 * clientMsgId, or once per conversation without one) and its `ack` is sent first. A new
 * conversation the team cannot answer ends the reply with the off-hours notice.
 */
export async function start(ports: Ports, caller: Caller, frame: StartFrame): Promise<ServerFrame[]> {
  if (frame.text !== undefined) validateText(frame.text);
  const opened = await openConversation(ports, caller, {
    ...(frame.skill ? { skill: frame.skill } : {}),
    ...(frame.profile ? { profile: frame.profile } : {}),
    deferRouting: true,
  });
  const { conversation } = opened;
  const reply: ServerFrame[] = [];
  const except = caller.connectionId ? { exceptConnectionId: caller.connectionId } : {};
  let lastSeq = conversation.lastSeq;
  if (frame.text !== undefined) {
    const clientMsgId = frame.clientMsgId ?? `start:${conversation.id}`;
    const now = ports.clock.now().toISOString();
    const result = await ports.conversations.appendMessage(
      conversation,
      { sender: userRef(caller.user), text: frame.text, clientMsgId },
      now,
    );
    if (!result.duplicate || result.resumed) {
      await broadcast(ports, participantIds(conversation), messageFrame(result.message), except);
    }
    if (frame.clientMsgId) reply.push(ackFrame(result.message));
    lastSeq = Math.max(lastSeq, result.message.seq);
  }
  const notice = await afterOpen(ports, { ...opened, conversation: { ...conversation, lastSeq } }, frame.visitor);
  if (notice) lastSeq = Math.max(lastSeq, notice.seq);
  reply.push({ type: 'conversation', conversation: toSummary({ ...conversation, lastSeq }) });
  if (notice) {
    // The caller reads it after the conversation frame; the customer's other connections now.
    reply.push(messageFrame(notice));
    await broadcast(ports, participantIds(conversation), messageFrame(notice), except);
  }
  return reply;
}

/** `close`: idempotent; frees the agent's capacity and lets the router drain the queue. */
export async function close(ports: Ports, caller: Caller, frame: CloseFrame): Promise<ServerFrame> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanClose(caller.user, conversation);
  const now = ports.clock.now().toISOString();
  const closed =
    conversation.status === 'closed'
      ? undefined
      : await ports.conversations.close(conversation.id, { id: caller.user.id, role: caller.user.role }, now);
  if (!closed) {
    const current = await getConversation(ports, conversation.id);
    return closedFrame(current, now);
  }
  await afterClose(ports, closed);
  const frame_ = closedFrame(closed, now);
  await broadcast(ports, participantIds(closed), frame_, {
    ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
  });
  return frame_;
}

function closedFrame(conversation: Conversation, fallbackTs: string): ServerFrame {
  return {
    type: 'closed',
    conversationId: conversation.id,
    by: conversation.closedBy ?? { id: 'system', role: 'system' },
    ts: conversation.closedAt ?? fallbackTs,
  };
}

/** `rate`: the customer scores a closed conversation; rating again replaces the score. */
export async function rate(ports: Ports, caller: Caller, frame: RateFrame): Promise<ServerFrame> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanRate(caller.user, conversation);
  if (conversation.status !== 'closed') throw new ConflictError('A conversation can be rated once it is closed');
  await ports.conversations.rate(
    conversation.id,
    { score: frame.score, ...(frame.comment ? { comment: frame.comment } : {}) },
    ports.clock.now().toISOString(),
  );
  const rated: ServerFrame = { type: 'rated', conversationId: conversation.id, score: frame.score };
  await broadcast(ports, [caller.user.id], rated, {
    ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
  });
  return rated;
}
