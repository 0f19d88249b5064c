import type { Conversation } from '../domain/conversation';
import { participantIds, toSummary } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import { estimateWaitSeconds, handlingSeconds } from '../domain/queue';
import { claimBacks, claimName, currentClaim, epochOf, nextClaim } from '../domain/routing-claims';
import type { QueueOutlook } from '../ports/agent-presence';
import type { RoutingTrigger } from '../ports/routing-queue';
import { messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/** How many waiting conversations per skill are told their new position after the queue moves. */
export const POSITION_UPDATES_PER_SKILL = 50;
/** Waiting conversations read per skill and page while draining. */
export const DRAIN_PAGE = 25;
/** Decisions one router invocation makes before handing the rest to a fresh trigger. */
export const MAX_DECISIONS_PER_RUN = 200;
/** A decision re-reads and retries this often when the conversation changed under it. */
const ATTEMPTS_PER_CONVERSATION = 3;

export const NO_AGENT_NOTICE =
  'No agent is online for this right now. You stay in the queue and we will answer as soon as someone is available.';
export const REQUEUED_NOTICE =
  'Your agent was disconnected. You are back at the front of the queue and the next available agent will continue.';

/** Where a conversation sorts in its skill's queue (the queue index's sort key). */
export function queueKey(conversation: Conversation): string {
  return `${conversation.queuedAt ?? conversation.createdAt}#${conversation.id}`;
}

type Decision =
  | { readonly kind: 'assigned'; readonly conversation: Conversation; readonly outlook: QueueOutlook }
  | { readonly kind: 'no-agent'; readonly outlook: QueueOutlook }
  | { readonly kind: 'moved-on'; readonly outlook?: QueueOutlook };

/**
 * Gives a claim back unless it backs the conversation as stored now (another run with the
 * same claim won the write). Safe by construction: see domain/routing-claims.ts.
 */
export async function releaseUnlessBacking(ports: Ports, conversationId: string, agentId: string, claim: string): Promise<void> {
  const current = await ports.conversations.get(conversationId);
  if (current && claimBacks(current, agentId, claim)) return;
  await ports.presence.release(agentId, claim, ports.clock.now().toISOString());
}

/**
 * One routing decision for a waiting conversation: claim capacity on the best agent in one
 * Redis script, then move the conversation queued -> assigned with a conditional write on
 * its epoch. Redis: one command, plus one release only when the write lost.
 */
async function decide(ports: Ports, waiting: Conversation): Promise<Decision> {
  let conversation = waiting;
  let outlook: QueueOutlook | undefined;
  for (let attempt = 0; attempt < ATTEMPTS_PER_CONVERSATION; attempt++) {
    const now = ports.clock.now().toISOString();
    const claim = nextClaim(conversation);
    const outcome = await ports.presence.claimBest(conversation.skill, claim, now);
    outlook = outcome;
    if (!outcome.agent) return { kind: 'no-agent', outlook };
    const assigned = await ports.conversations.assign(conversation.id, outcome.agent, now, epochOf(conversation));
    if (assigned) {
      await announceAssignment(ports, assigned);
      return { kind: 'assigned', conversation: assigned, outlook };
    }
    const current = await ports.conversations.get(conversation.id);
    if (!(current && claimBacks(current, outcome.agent.id, claim))) {
      await ports.presence.release(outcome.agent.id, claim, ports.clock.now().toISOString());
    }
    // Still waiting in the same queue (our copy was stale): decide again on the fresh one.
    if (!current || current.status !== 'queued' || current.skill !== waiting.skill) return { kind: 'moved-on', outlook };
    conversation = current;
  }
  return { kind: 'moved-on', ...(outlook ? { outlook } : {}) };
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

interface DrainResult {
  /** Skills whose queue moved (someone was assigned). */
  readonly moved: ReadonlySet<string>;
  readonly assignedIds: ReadonlySet<string>;
  readonly outlooks: ReadonlyMap<string, QueueOutlook>;
}

/**
 * Drains the skills' queues, oldest first across them, until each queue is empty or nobody
 * serving it has room. Only the head of a queue is ever tried, so within a skill
 * conversations are assigned in queue order whichever trigger started the run.
 */
async function drain(ports: Ports, skills: readonly string[]): Promise<DrainResult> {
  const pending = new Map<string, Conversation[]>();
  const exhausted = new Set<string>();
  const blocked = new Set<string>();
  const moved = new Set<string>();
  const assignedIds = new Set<string>();
  const outlooks = new Map<string, QueueOutlook>();
  const unique = [...new Set(skills)];
  for (let decisions = 0; decisions < MAX_DECISIONS_PER_RUN; decisions++) {
    await Promise.all(
      unique
        .filter((skill) => !blocked.has(skill) && !exhausted.has(skill) && (pending.get(skill)?.length ?? 0) === 0)
        .map(async (skill) => {
          const page = await ports.conversations.listQueued(skill, DRAIN_PAGE);
          pending.set(skill, page);
          if (page.length === 0) exhausted.add(skill);
        }),
    );
    let head: Conversation | undefined;
    for (const skill of unique) {
      const candidate = blocked.has(skill) ? undefined : pending.get(skill)?.[0];
      if (candidate && (!head || queueKey(candidate) < queueKey(head))) head = candidate;
    }
    if (!head) return { moved, assignedIds, outlooks };
    pending.get(head.skill)?.shift();
    const decision = await decide(ports, head);
    if (decision.outlook) outlooks.set(head.skill, decision.outlook);
    if (decision.kind === 'assigned') {
      moved.add(head.skill);
      assignedIds.add(head.id);
    }
    if (decision.kind === 'no-agent') blocked.add(head.skill);
  }
  // A long backlog: a fresh trigger carries on where this run stops.
  for (const skill of unique) {
    const next = blocked.has(skill) ? undefined : pending.get(skill)?.[0];
    if (next) await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: next.id });
  }
  return { moved, assignedIds, outlooks };
}

async function outlookFor(ports: Ports, skill: string, known: ReadonlyMap<string, QueueOutlook>): Promise<QueueOutlook> {
  return known.get(skill) ?? (await ports.presence.outlook(skill));
}

/**
 * After a queue moves, the first POSITION_UPDATES_PER_SKILL waiting customers learn their
 * position and wait. Returns the ids told.
 */
export async function refreshPositions(ports: Ports, skill: string, known: ReadonlyMap<string, QueueOutlook> = new Map()): Promise<Set<string>> {
  const waiting = await ports.conversations.listQueued(skill, POSITION_UPDATES_PER_SKILL);
  if (waiting.length === 0) return new Set();
  const outlook = await outlookFor(ports, skill, known);
  await Promise.all(
    waiting.map((conversation, index) =>
      broadcast(ports, [conversation.customer.id], {
        type: 'queued',
        conversationId: conversation.id,
        position: index + 1,
        etaSeconds: estimateWaitSeconds(index + 1, outlook.agentsServing, outlook.averageHandleSeconds),
      }),
    ),
  );
  return new Set(waiting.map((conversation) => conversation.id));
}

/** Tells one waiting customer where they stand, and once, that nobody serving the skill is online. */
async function announceQueued(ports: Ports, conversation: Conversation, outlook: QueueOutlook, positionTold: boolean): Promise<void> {
  if (outlook.agentsServing === 0 && !conversation.noAgentNoticeAt) {
    const now = ports.clock.now().toISOString();
    if (await ports.conversations.markNoAgentNotice(conversation.id, now)) {
      const { message } = await ports.conversations.appendMessage(
        conversation,
        { sender: SYSTEM_SENDER, text: NO_AGENT_NOTICE, clientMsgId: `notice:no-agent:${conversation.id}:${epochOf(conversation)}` },
        now,
      );
      await broadcast(ports, participantIds(conversation), messageFrame(message));
    }
  }
  if (positionTold) return;
  const position = (await ports.conversations.countAhead(conversation)) + 1;
  await broadcast(ports, [conversation.customer.id], {
    type: 'queued',
    conversationId: conversation.id,
    position,
    etaSeconds: estimateWaitSeconds(position, outlook.agentsServing, outlook.averageHandleSeconds),
  });
}

async function refreshMoved(ports: Ports, result: DrainResult): Promise<Set<string>> {
  const told = await Promise.all([...result.moved].map((skill) => refreshPositions(ports, skill, result.outlooks)));
  return new Set(told.flatMap((ids) => [...ids]));
}

/** `conversation.queued`: drain its skill from the head; if it still waits, tell the customer. */
async function onConversationQueued(ports: Ports, conversationId: string): Promise<void> {
  const conversation = await ports.conversations.get(conversationId);
  if (!conversation || conversation.status !== 'queued') return;
  const result = await drain(ports, [conversation.skill]);
  const told = await refreshMoved(ports, result);
  if (result.assignedIds.has(conversation.id)) return;
  const outlook = await outlookFor(ports, conversation.skill, result.outlooks);
  await announceQueued(ports, conversation, outlook, told.has(conversation.id));
}

/**
 * `agent.available`: the agent came online or freed capacity; drain every queue it serves.
 * It drains even when the agent looks full: a claim left by a crashed run counts as load
 * until the redelivered run reuses it, and only a drain reaches that conversation.
 */
async function onAgentAvailable(ports: Ports, agentId: string): Promise<void> {
  const agent = await ports.presence.get(agentId);
  if (!agent || agent.status !== 'online') return;
  await refreshMoved(ports, await drain(ports, [...agent.skills, ports.settings.defaultSkill]));
}

/**
 * Puts a conversation of an agent who is gone back at the front of its queue (it keeps its
 * original place) and tells the customer. False when it had changed meanwhile.
 */
async function requeueToFront(ports: Ports, conversation: Conversation, agentId: string): Promise<boolean> {
  const now = ports.clock.now().toISOString();
  const requeued = await ports.conversations.requeue(conversation.id, agentId, conversation.skill, now, {
    fromEpoch: epochOf(conversation),
    queuedAt: conversation.queuedAt ?? conversation.createdAt,
  });
  if (!requeued) return false;
  await ports.presence.release(agentId, currentClaim(conversation), now);
  ports.log.info('Conversation back in the queue: its agent is gone', { conversationId: conversation.id, agentId });
  const { message } = await ports.conversations.appendMessage(
    requeued,
    { sender: SYSTEM_SENDER, text: REQUEUED_NOTICE, clientMsgId: `notice:requeued:${conversation.id}:${epochOf(requeued)}` },
    now,
  );
  await Promise.all([
    broadcast(ports, participantIds(requeued), messageFrame(message)),
    broadcast(ports, [agentId], {
      type: 'transferred',
      conversationId: conversation.id,
      from: { agent: { id: agentId, name: conversation.agent?.name ?? agentId } },
      to: { skill: conversation.skill },
    }),
  ]);
  return true;
}

/**
 * `agent.lost`: the agent went offline or its presence expired. Unless it is back online,
 * its conversations return to the front of their queues, which then drain to other agents.
 */
async function onAgentLost(ports: Ports, agentId: string): Promise<void> {
  const agent = await ports.presence.get(agentId);
  // Back (or still connected while away): it keeps its conversations.
  if (agent && agent.status !== 'offline') return;
  const assigned = await ports.conversations.listAssignedTo(agentId);
  for (const conversation of assigned) await requeueToFront(ports, conversation, agentId);
  const skills = [...(agent?.skills ?? []), ...assigned.map((conversation) => conversation.skill), ports.settings.defaultSkill];
  const result = await drain(ports, skills);
  const touched = new Set([...result.moved, ...assigned.map((conversation) => conversation.skill)]);
  await Promise.all([...touched].map((skill) => refreshPositions(ports, skill, result.outlooks)));
}

/** The router's entry: every trigger is idempotent, so redelivery and reordering are harmless. */
export async function handleTrigger(ports: Ports, trigger: RoutingTrigger): Promise<void> {
  switch (trigger.type) {
    case 'conversation.queued':
      return onConversationQueued(ports, trigger.conversationId);
    case 'agent.available':
      return onAgentAvailable(ports, trigger.agentId);
    case 'agent.lost':
      return onAgentLost(ports, trigger.agentId);
  }
}

/**
 * After a close: the agent's claim is given back (recording the handling time for the
 * ETA), its queues drain, and a queue the conversation waited in moves up.
 */
export async function afterClose(ports: Ports, closed: Conversation): Promise<void> {
  const now = ports.clock.now().toISOString();
  if (closed.agent) {
    const seconds = handlingSeconds(closed.assignedAt, closed.closedAt ?? now);
    // The close was the transition from the epoch before: that claim backed the assignment.
    await ports.presence.release(
      closed.agent.id,
      claimName(closed.id, epochOf(closed) - 1),
      now,
      seconds === undefined ? undefined : { skill: closed.skill, seconds },
    );
    await ports.routingQueue.publish({ type: 'agent.available', agentId: closed.agent.id });
  } else {
    await refreshPositions(ports, closed.skill);
  }
}
