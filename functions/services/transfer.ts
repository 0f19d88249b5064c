import { recordAssignment } from './assignment-metrics';
import type { Conversation } from '../domain/conversation';
import { assertCanTransfer, assertOpen, toSummary } from '../domain/conversation';
import { ConflictError } from '../domain/errors';
import { currentClaim, epochOf, nextClaim } from '../domain/routing-claims';
import type { TransferFrame } from '../protocol/client-frames';
import type { ServerFrame, TransferEnd } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { getConversation } from './conversations';
import { storeTransferNote } from './notes';
import { refreshPositions, releaseUnlessBacking } from './routing';
import { assertSkillConfigured, isSkillConfigured } from './skills';
import { answerCallerFirst } from './answer-first';
import { conversationAssigned } from '../domain/event-facts';
import { publishEvents } from './domain-events';

function endOf(conversation: Conversation): TransferEnd {
  return conversation.agent ? { agent: { id: conversation.agent.id, name: conversation.agent.name } } : { skill: conversation.skill };
}

/** To a named agent: claim its capacity first, then move the conversation with a conditional write. */
async function toAgent(ports: Ports, conversation: Conversation, agentId: string): Promise<Conversation> {
  if (conversation.agent?.id === agentId) throw new ConflictError('The conversation is already assigned to that agent');
  const target = await ports.presence.get(agentId);
  if (target?.status !== 'online') throw new ConflictError(`Agent ${agentId} is not online`);
  const now = ports.clock.now().toISOString();
  const claim = nextClaim(conversation);
  if (!(await ports.presence.claimAgent(agentId, claim, now))) throw new ConflictError(`Agent ${agentId} has no spare capacity`);
  const to = { id: target.id, name: target.name };
  const moved = conversation.agent
    ? await ports.conversations.reassign(conversation.id, conversation.agent.id, to, now, epochOf(conversation))
    : await ports.conversations.assign(conversation.id, to, now, epochOf(conversation));
  if (!moved) {
    await releaseUnlessBacking(ports, conversation.id, agentId, claim);
    throw new ConflictError('The conversation changed meanwhile; try again');
  }
  // A supervisor handing a waiting conversation to an agent ends its queued period too.
  if (!conversation.agent) recordAssignment(ports, conversation, moved, now);
  return moved;
}

/** To a skill queue: it joins the back of that queue; routing follows once everyone was told (see transfer). */
async function toSkill(ports: Ports, conversation: Conversation, skill: string): Promise<Conversation> {
  const now = ports.clock.now().toISOString();
  const moved = await ports.conversations.requeue(conversation.id, conversation.agent?.id ?? null, skill, now, {
    fromEpoch: epochOf(conversation),
  });
  if (!moved) throw new ConflictError('The conversation changed meanwhile; try again');
  return moved;
}

/**
 * The usual transfer to a skill queue, by the assigned agent or a supervisor, in one
 * conditional write that is also the authorization and the epoch check (domain/routing-claims.ts):
 * it moves only what the caller may move, and returns the state it moved from, so no read
 * comes first. Undefined for anything else (to an agent, another role, an unconfigured skill,
 * not theirs, closed, the bot's, missing): checkedMove then reads and says why, storing nothing.
 */
async function directToQueue(
  ports: Ports,
  caller: Caller,
  frame: TransferFrame,
): Promise<{ conversation: Conversation; moved: Conversation } | undefined> {
  const role = caller.user.role;
  if (frame.toAgentId || (role !== 'agent' && role !== 'supervisor')) return undefined;
  if (frame.toSkill !== undefined && !(await isSkillConfigured(ports, frame.toSkill))) return undefined;
  const result = await ports.conversations.transferToQueue(
    frame.conversationId,
    frame.toSkill ?? ports.settings.defaultSkill,
    ports.clock.now().toISOString(),
    role === 'agent' ? caller.user.id : undefined,
  );
  return result && { conversation: result.before, moved: result.moved };
}

/** Reads the conversation, checks the caller may transfer it and where to, then moves it (epoch-checked). */
async function checkedMove(
  ports: Ports,
  caller: Caller,
  frame: TransferFrame,
): Promise<{ conversation: Conversation; moved: Conversation }> {
  const conversation = await getConversation(ports, frame.conversationId);
  assertCanTransfer(caller.user, conversation);
  assertOpen(conversation);
  if (conversation.status === 'bot') throw new ConflictError('The bot is answering this conversation; hand it off to the queue first');
  if (!frame.toAgentId && frame.toSkill !== undefined) await assertSkillConfigured(ports, frame.toSkill);
  const moved = frame.toAgentId
    ? await toAgent(ports, conversation, frame.toAgentId)
    : await toSkill(ports, conversation, frame.toSkill ?? ports.settings.defaultSkill);
  return { conversation, moved };
}

/**
 * `transfer` to a named agent (online, with capacity) or to a skill queue. The note is for
 * agents only: the customer's `transferred` frame does not carry it. The previous agent's
 * claim is given back and its queues drain, only after the frames are out (the caller's
 * pushed first): the previous agent reads `transferred` before it is offered the capacity,
 * and the customer before the next agent's `assigned`.
 */
export async function transfer(ports: Ports, caller: Caller, frame: TransferFrame): Promise<ServerFrame | undefined> {
  const { conversation, moved } = (await directToQueue(ports, caller, frame)) ?? (await checkedMove(ports, caller, frame));
  const previousAgent = conversation.agent;
  const base = { type: 'transferred' as const, conversationId: conversation.id, from: endOf(conversation), to: endOf(moved) };
  const forAgents: ServerFrame = frame.note ? { ...base, note: frame.note } : base;
  const agentIds = [
    ...new Set([previousAgent?.id, moved.agent?.id, caller.user.role === 'supervisor' ? caller.user.id : undefined]),
  ].filter((id): id is string => id !== undefined);
  const except = caller.connectionId ? { exceptConnectionId: caller.connectionId } : {};
  const answered = await answerCallerFirst(ports, caller, forAgents);
  await Promise.all([
    broadcast(ports, [conversation.customer.id], base, except),
    broadcast(ports, agentIds, forAgents, except),
    ...(moved.agent ? [broadcast(ports, [moved.agent.id], { type: 'conversation', conversation: toSummary(moved) })] : []),
  ]);
  // To a named agent: an assignment (a transfer when it had one), published once everyone was
  // told; to a skill: the router's assignment follows.
  if (moved.agent) await publishEvents(ports, [conversationAssigned(conversation, moved)]);
  // Issue 10: the note stays with the conversation as an internal note the receiving agent
  // reads; stored before routing so the next agent's replay has it. After the announcement,
  // and best effort: the move is stored, so nothing may stop it being told, and the agents'
  // `transferred` frame carries the note's text anyway.
  await storeTransferNote(ports, caller, moved, frame.note).catch((error: unknown) => {
    ports.log.warn('Transfer stored and announced without its note', { conversationId: conversation.id, error });
  });
  // The previous agent's capacity is freed, and routing triggered, only after the
  // `transferred` frames went out: the previous agent hears it lost the conversation before
  // it is offered another, and the customer reads `transferred` before the next `assigned`.
  // Should this fail (Redis down), the transfer is stored and announced; reconcile removes
  // the claim nothing backs and nudges agents with spare capacity (docs/delivery.md).
  if (previousAgent) {
    await ports.presence.release(previousAgent.id, currentClaim(conversation), ports.clock.now().toISOString());
  } else {
    // It left a queue (a supervisor moved a waiting conversation): those behind move up.
    await refreshPositions(ports, conversation.skill);
  }
  // One request, and usually one router batch: the two triggers share a drain instead of racing.
  await ports.routingQueue.publishAll([
    ...(moved.agent ? [] : [{ type: 'conversation.queued' as const, conversationId: moved.id, skill: moved.skill }]),
    ...(previousAgent ? [{ type: 'agent.available' as const, agentId: previousAgent.id }] : []),
  ]);
  return answered ? undefined : forAgents;
}
