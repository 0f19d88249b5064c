import type { Conversation } from '../domain/conversation';
import { assertCanClose, assertCanRate, participantIds, toSummary } from '../domain/conversation';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { displayName, userRef } from '../domain/identity';
import { validateText } from '../domain/message';
import type { CloseFrame, RateFrame, StartFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { ackFrame, messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { afterClose } from './routing';

export async function getConversation(ports: Ports, conversationId: string): Promise<Conversation> {
  const conversation = await ports.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError(`Conversation ${conversationId} does not exist`);
  return conversation;
}

/**
 * The customer's open conversation, created if there is none. Re-publishing the routing
 * trigger for a conversation still queued is harmless (the router is idempotent) and means a
 * start whose first trigger was lost is never stranded.
 */
export async function openConversation(
  ports: Ports,
  caller: Caller,
  options: { skill?: string; profile?: { name?: string; email?: string } },
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
  if (result.conversation.status === 'queued') {
    await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: result.conversation.id });
  }
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
  return result;
}

/**
 * `start`: replies `conversation`. With `text`, the text becomes a message (idempotent by
 * clientMsgId, or once per conversation without one) and its `ack` is sent first.
 */
export async function start(ports: Ports, caller: Caller, frame: StartFrame): Promise<ServerFrame[]> {
  if (frame.text !== undefined) validateText(frame.text);
  const { conversation } = await openConversation(ports, caller, {
    ...(frame.skill ? { skill: frame.skill } : {}),
    ...(frame.profile ? { profile: frame.profile } : {}),
  });
  const reply: ServerFrame[] = [];
  let current = conversation;
  if (frame.text !== undefined) {
    const clientMsgId = frame.clientMsgId ?? `start:${conversation.id}`;
    const now = ports.clock.now().toISOString();
    const result = await ports.conversations.appendMessage(
      conversation,
      { sender: userRef(caller.user), text: frame.text, clientMsgId },
      now,
    );
    if (!result.duplicate || result.resumed) {
      await broadcast(ports, participantIds(conversation), messageFrame(result.message), {
        ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}),
      });
    }
    if (frame.clientMsgId) reply.push(ackFrame(result.message));
    current = { ...conversation, lastSeq: Math.max(conversation.lastSeq, result.message.seq) };
  }
  reply.push({ type: 'conversation', conversation: toSummary(current) });
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

/** The `closed` frame; `reason` when the system closed it (e.g. `abandoned`). */
export function closedFrame(conversation: Conversation, fallbackTs: string): ServerFrame {
  return {
    type: 'closed',
    conversationId: conversation.id,
    by: conversation.closedBy ?? { id: 'system', role: 'system' },
    ts: conversation.closedAt ?? fallbackTs,
    ...(conversation.closeReason ? { reason: conversation.closeReason } : {}),
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
