import type { Conversation } from '../domain/conversation';
import { assertCanTransfer, assertOpen } from '../domain/conversation';
import { ConflictError } from '../domain/errors';
import type { TransferFrame } from '../protocol/client-frames';
import type { ServerFrame, TransferEnd } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { getConversation } from './conversations';

function endOf(conversation: Conversation): TransferEnd {
  return conversation.agent
    ? { agent: { id: conversation.agent.id, name: conversation.agent.name } }
    : { skill: conversation.skill };
}

async function toAgent(ports: Ports, conversation: Conversation, agentId: string): Promise<Conversation> {
  if (conversation.agent?.id === agentId) throw new ConflictError('The conversation is already assigned to that agent');
  const target = await ports.presence.get(agentId);
  if (!target || target.status !== 'online') throw new ConflictError(`Agent ${agentId} is not online`);
  const now = ports.clock.now().toISOString();
  if (!(await ports.presence.claim(agentId, now))) throw new ConflictError(`Agent ${agentId} has no spare capacity`);
  const to = { id: target.id, name: target.name };
  const moved = conversation.agent
    ? await ports.conversations.reassign(conversation.id, conversation.agent.id, to, now)
    : await ports.conversations.assign(conversation.id, to, now);
  if (!moved) {
    await ports.presence.release(agentId, now);
    throw new ConflictError('The conversation changed meanwhile; try again');
  }
  return moved;
}

async function toSkill(ports: Ports, conversation: Conversation, skill: string): Promise<Conversation> {
  const now = ports.clock.now().toISOString();
  const moved = await ports.conversations.requeue(conversation.id, conversation.agent?.id ?? null, skill, now);
  if (!moved) throw new ConflictError('The conversation changed meanwhile; try again');
  await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: conversation.id });
  return moved;
}

/**
 * `transfer` to a named agent (online, with capacity) or to a skill queue. The note is for
 * agents only: the customer's `transferred` frame does not carry it.
 */
export async function transfer(ports: Ports, caller: Caller, frame: TransferFrame): Promise<ServerFrame> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanTransfer(caller.user, conversation);
  assertOpen(conversation);
  const moved = frame.toAgentId
    ? await toAgent(ports, conversation, frame.toAgentId)
    : await toSkill(ports, conversation, frame.toSkill ?? ports.settings.defaultSkill);

  const previousAgent = conversation.agent;
  if (previousAgent) {
    const now = ports.clock.now().toISOString();
    await ports.presence.release(previousAgent.id, now);
    await ports.routingQueue.publish({ type: 'agent.available', agentId: previousAgent.id });
  }

  const base = { type: 'transferred' as const, conversationId: conversation.id, from: endOf(conversation), to: endOf(moved) };
  const forAgents: ServerFrame = frame.note ? { ...base, note: frame.note } : base;
  const agentIds = [...new Set([previousAgent?.id, moved.agent?.id, caller.user.role === 'supervisor' ? caller.user.id : undefined])]
    .filter((id): id is string => id !== undefined);
  const except = caller.connectionId ? { exceptConnectionId: caller.connectionId } : {};
  await Promise.all([
    broadcast(ports, [conversation.customer.id], base, except),
    broadcast(ports, agentIds, forAgents, except),
  ]);
  return forAgents;
}
