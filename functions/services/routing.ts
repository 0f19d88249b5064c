import type { Conversation } from '../domain/conversation';
import { participantIds, toSummary } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import type { AgentAvailability } from '../domain/routing';
import { rankCandidates, servesSkill } from '../domain/routing';
import { estimateWaitSeconds } from '../domain/queue';
import type { RoutingTrigger } from '../ports/routing-queue';
import { messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/** How many waiting conversations are told their new position after the queue moves. */
export const POSITION_UPDATES_PER_SKILL = 50;

export const NO_AGENT_NOTICE =
  'No agent is online for this right now. You stay in the queue and we will answer as soon as someone is available.';

export type AssignOutcome = 'assigned' | 'not-queued' | 'no-agent';

/**
 * Tries to give a queued conversation to the best eligible agent. The agent's capacity is
 * claimed atomically in Redis first; the conversation then moves queued -> assigned with a
 * conditional write. If that write loses (someone else assigned or closed it), the claim is
 * given back, so no conversation is assigned twice and no agent goes over capacity.
 */
export async function tryAssign(ports: Ports, conversation: Conversation, agents?: AgentAvailability[]): Promise<AssignOutcome> {
  if (conversation.status !== 'queued') return 'not-queued';
  const online = agents ?? (await ports.presence.onlineFor(conversation.skill));
  const candidates = rankCandidates(online, conversation.skill, ports.settings.defaultSkill);
  for (const candidate of candidates) {
    const now = ports.clock.now().toISOString();
    if (!(await ports.presence.claim(candidate.id, now))) continue;
    const assigned = await ports.conversations.assign(conversation.id, { id: candidate.id, name: candidate.name }, now);
    if (!assigned) {
      await ports.presence.release(candidate.id, now);
      return 'not-queued';
    }
    await announceAssignment(ports, assigned);
    return 'assigned';
  }
  return 'no-agent';
}

async function announceAssignment(ports: Ports, conversation: Conversation): Promise<void> {
  const agent = conversation.agent;
  if (!agent) return;
  ports.log.info('Conversation assigned', { conversationId: conversation.id, agentId: agent.id });
  await Promise.all([
    broadcast(ports, participantIds(conversation), {
      type: 'assigned',
      conversationId: conversation.id,
      agent: { id: agent.id, name: agent.name },
    }),
    broadcast(ports, [agent.id], { type: 'conversation', conversation: toSummary(conversation) }),
  ]);
}

/** Tells a waiting customer where they stand; once, that nobody serving the skill is online. */
async function announceQueued(ports: Ports, conversation: Conversation, online: AgentAvailability[]): Promise<void> {
  const serving = online.filter((agent) => servesSkill(agent, conversation.skill, ports.settings.defaultSkill));
  if (serving.length === 0 && !conversation.noAgentNoticeAt) {
    const now = ports.clock.now().toISOString();
    if (await ports.conversations.markNoAgentNotice(conversation.id, now)) {
      const { message } = await ports.conversations.appendMessage(
        conversation,
        { sender: SYSTEM_SENDER, text: NO_AGENT_NOTICE, clientMsgId: `notice:no-agent:${conversation.id}` },
        now,
      );
      await broadcast(ports, participantIds(conversation), messageFrame(message));
    }
  }
  await announcePosition(ports, conversation, serving.length);
}

async function announcePosition(ports: Ports, conversation: Conversation, agentsServing: number): Promise<void> {
  const position = (await ports.conversations.countAhead(conversation)) + 1;
  await broadcast(ports, [conversation.customer.id], {
    type: 'queued',
    conversationId: conversation.id,
    position,
    etaSeconds: estimateWaitSeconds(position, agentsServing),
  });
}

async function routeConversation(ports: Ports, conversationId: string): Promise<void> {
  const conversation = await ports.conversations.get(conversationId);
  if (!conversation || conversation.status !== 'queued') return;
  const online = await ports.presence.onlineFor(conversation.skill);
  const outcome = await tryAssign(ports, conversation, online);
  if (outcome === 'no-agent') await announceQueued(ports, conversation, online);
  if (outcome === 'assigned') await refreshPositions(ports, conversation.skill);
}

/** Drains the agent's queues, longest-waiting first across all the skills the agent serves. */
async function drainForAgent(ports: Ports, agentId: string): Promise<void> {
  const agent = await ports.presence.get(agentId);
  if (!agent || agent.status !== 'online' || agent.load >= agent.capacity) return;
  const skills = [...new Set([...agent.skills, ports.settings.defaultSkill])];
  const spare = agent.capacity - agent.load;
  const waiting = (await Promise.all(skills.map((skill) => ports.conversations.listQueued(skill, spare))))
    .flat()
    .sort((a, b) => (a.queuedAt ?? a.createdAt).localeCompare(b.queuedAt ?? b.createdAt));
  const moved = new Set<string>();
  for (const conversation of waiting) {
    const outcome = await tryAssign(ports, conversation);
    if (outcome === 'assigned') moved.add(conversation.skill);
    if (outcome === 'no-agent') break;
  }
  await Promise.all([...moved].map((skill) => refreshPositions(ports, skill)));
}

/** After the head of a queue moves, everyone behind learns their new position. */
export async function refreshPositions(ports: Ports, skill: string): Promise<void> {
  const waiting = await ports.conversations.listQueued(skill, POSITION_UPDATES_PER_SKILL);
  if (waiting.length === 0) return;
  const online = await ports.presence.onlineFor(skill);
  const serving = online.filter((agent) => servesSkill(agent, skill, ports.settings.defaultSkill)).length;
  await Promise.all(
    waiting.map((conversation, index) =>
      broadcast(ports, [conversation.customer.id], {
        type: 'queued',
        conversationId: conversation.id,
        position: index + 1,
        etaSeconds: estimateWaitSeconds(index + 1, serving),
      }),
    ),
  );
}

/** The router's entry: every trigger is idempotent, so redelivery and reordering are harmless. */
export async function handleTrigger(ports: Ports, trigger: RoutingTrigger): Promise<void> {
  switch (trigger.type) {
    case 'conversation.queued':
      return routeConversation(ports, trigger.conversationId);
    case 'agent.available':
      return drainForAgent(ports, trigger.agentId);
  }
}
