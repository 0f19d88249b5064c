import type { Conversation } from '../domain/conversation';
import { participantIds } from '../domain/conversation';
import { SYSTEM_SENDER } from '../domain/identity';
import { handlingSeconds } from '../domain/queue';
import type { AgentAvailability } from '../domain/routing';
import { claimName, currentClaim, epochOf } from '../domain/routing-claims';
import type { RoutingTrigger } from '../ports/routing-queue';
import { messageFrame } from '../protocol/server-frames';
import { awayIfStillGone } from './agent-leave';
import { broadcast } from './broadcast';
import type { Ports } from './context';
import { drain } from './queue-drain';
import { conversationClosed } from '../domain/event-facts';
import { publishEvents } from './domain-events';
import { Outlooks, type QueueView, refreshPositions, tellQueue } from './queue-positions';

export { DECISIONS_IN_FLIGHT, DRAIN_PAGE, MAX_DECISIONS_PER_RUN, queueKey, releaseUnlessBacking } from './queue-drain';
export { NO_AGENT_NOTICE, POSITION_UPDATES_PER_SKILL, refreshPositions } from './queue-positions';

export const REQUEUED_NOTICE =
  'Your agent was disconnected. You are back at the front of the queue and the next available agent will continue.';

/** What one trigger asks of its batch's shared drain. */
interface TriggerPlan {
  /** Skills whose queues to drain. */
  readonly skills: readonly string[];
  /** The conversation that joined a queue: it hears where it stands if it still waits. */
  readonly joined?: Pick<Conversation, 'id' | 'skill'>;
  /** Skills whose positions changed before the drain (conversations put back at the front). */
  readonly requeuedSkills: readonly string[];
}

const NOTHING_TO_DO: TriggerPlan = { skills: [], requeuedSkills: [] };

/** Reads shared by a batch's triggers: duplicates of one trigger read once. */
class BatchReads {
  private readonly agents = new Map<string, Promise<AgentAvailability | undefined>>();
  private readonly conversations = new Map<string, Promise<Conversation | undefined>>();

  constructor(private readonly ports: Ports) {}

  agent(agentId: string): Promise<AgentAvailability | undefined> {
    return memo(this.agents, agentId, () => this.ports.presence.get(agentId));
  }

  conversation(conversationId: string): Promise<Conversation | undefined> {
    return memo(this.conversations, conversationId, () => this.ports.conversations.get(conversationId));
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = read();
    cache.set(key, value);
  }
  return value;
}

/**
 * `conversation.queued`: drain its skill from the head; if it still waits, tell the customer.
 * The trigger carries the skill, so nothing is read first: a conversation no longer waiting
 * is simply not in the queue the drain reads (and is told nothing). An older trigger without
 * the skill reads the conversation.
 */
async function planQueued(reads: BatchReads, conversationId: string, skill: string | undefined): Promise<TriggerPlan> {
  if (skill !== undefined) return { skills: [skill], joined: { id: conversationId, skill }, requeuedSkills: [] };
  const conversation = await reads.conversation(conversationId);
  if (conversation?.status !== 'queued') return NOTHING_TO_DO;
  return { skills: [conversation.skill], joined: conversation, requeuedSkills: [] };
}

/**
 * `agent.available`: the agent came online or freed capacity; drain every queue it serves.
 * It drains even when the agent looks full: a claim left by a crashed run counts as load
 * until the redelivered run reuses it, and only a drain reaches that conversation.
 */
async function planAvailable(ports: Ports, reads: BatchReads, agentId: string): Promise<TriggerPlan> {
  const agent = await reads.agent(agentId);
  if (agent?.status !== 'online') return NOTHING_TO_DO;
  return { skills: [...agent.skills, ports.settings.defaultSkill], requeuedSkills: [] };
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
  ports.log.info('Conversation back in the queue: its agent is gone', { conversationId: conversation.id, agentId });
  // Announced before the claim is released: a redelivered trigger no longer finds this
  // conversation assigned to the agent, so a failure after this point must not cost the
  // announcement (reconcile removes a claim left behind).
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
  await ports.presence.release(agentId, currentClaim(conversation), now);
  return true;
}

/**
 * `agent.lost`: the agent went offline or its presence expired. Unless it is back online,
 * its conversations return to the front of their queues, which then drain to other agents.
 */
async function planLost(ports: Ports, reads: BatchReads, agentId: string): Promise<TriggerPlan> {
  const agent = await reads.agent(agentId);
  // Back (or still connected while away): it keeps its conversations.
  if (agent && agent.status !== 'offline') return NOTHING_TO_DO;
  const assigned = await ports.conversations.listAssignedTo(agentId);
  for (const conversation of assigned) await requeueToFront(ports, conversation, agentId);
  const requeuedSkills = assigned.map((conversation) => conversation.skill);
  return { skills: [...(agent?.skills ?? []), ...requeuedSkills, ports.settings.defaultSkill], requeuedSkills };
}

function planFor(ports: Ports, reads: BatchReads, trigger: RoutingTrigger): Promise<TriggerPlan> {
  switch (trigger.type) {
    case 'conversation.queued':
      return planQueued(reads, trigger.conversationId, trigger.skill);
    case 'agent.available':
      return planAvailable(ports, reads, trigger.agentId);
    case 'agent.lost':
      return planLost(ports, reads, trigger.agentId);
    case 'agent.left':
      // Going away frees nothing and takes no queue: nothing to drain.
      return awayIfStillGone(ports, trigger.agentId, trigger.disconnectedAt).then(() => NOTHING_TO_DO);
  }
}

/**
 * One drain for every queue the batch's triggers name, then one position update per skill:
 * a burst of triggers for one skill costs one pass over its queue, not one each.
 */
async function drainAndTell(ports: Ports, plans: readonly TriggerPlan[]): Promise<void> {
  const skills = plans.flatMap((plan) => plan.skills);
  if (skills.length === 0) return;
  const outlooks = new Outlooks(ports);
  const result = await drain(ports, skills, outlooks);
  const requeued = new Set(plans.flatMap((plan) => plan.requeuedSkills));
  // A queue another router overtook us on is told by that router when it stops (DrainResult.overtaken),
  // unless we put someone back at its front (its read may predate that): here only who joined.
  const movedSkills = new Set([...[...result.moved].filter((skill) => !result.overtaken.has(skill) || requeued.has(skill)), ...requeued]);
  const joined = new Map<string, Pick<Conversation, 'id' | 'skill'>>();
  for (const plan of plans) {
    if (plan.joined && !result.assignedIds.has(plan.joined.id)) joined.set(plan.joined.id, plan.joined);
  }
  const toTell = new Set([...movedSkills, ...[...joined.values()].map((conversation) => conversation.skill)]);
  await Promise.all(
    [...toTell].map((skill) =>
      tellQueue(
        ports,
        {
          skill,
          moved: movedSkills.has(skill),
          joined: [...joined.values()].filter((c) => c.skill === skill),
          ...viewOf(result.views, skill),
        },
        outlooks,
      ),
    ),
  );
}

function viewOf(views: ReadonlyMap<string, QueueView>, skill: string): { view?: QueueView } {
  const view = views.get(skill);
  return view ? { view } : {};
}

/** How one trigger of a batch fared: `error` set when it must be retried (SQS redelivers it). */
export interface TriggerOutcome {
  readonly trigger: RoutingTrigger;
  readonly error?: unknown;
}

/**
 * The router's entry for a batch. Every trigger is idempotent, so redelivery and reordering
 * are harmless; that also makes it safe to fail every trigger that shared a drain that failed.
 */
export async function handleTriggers(ports: Ports, triggers: readonly RoutingTrigger[]): Promise<TriggerOutcome[]> {
  const reads = new BatchReads(ports);
  const planned = await Promise.allSettled(triggers.map((trigger) => planFor(ports, reads, trigger)));
  const plans = planned.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  let shared: { error: unknown } | undefined;
  try {
    await drainAndTell(ports, plans);
  } catch (error) {
    shared = { error };
  }
  return planned.map((outcome, index) => {
    const trigger = triggers[index]!;
    if (outcome.status === 'rejected') return { trigger, error: outcome.reason };
    return shared ? { trigger, error: shared.error } : { trigger };
  });
}

/** One trigger alone (a batch of one); throws when it must be retried. */
export async function handleTrigger(ports: Ports, trigger: RoutingTrigger): Promise<void> {
  const [outcome] = await handleTriggers(ports, [trigger]);
  if (outcome && 'error' in outcome) throw outcome.error;
}

/**
 * After a close, once `closed` went out: the agent's claim is given back (recording the
 * handling time for the ETA), its queues drain, and a queue the conversation waited in moves
 * up. Idempotent (a claim is released and its time recorded once), so a retried close runs
 * it again.
 */
export async function afterClose(ports: Ports, closed: Conversation): Promise<void> {
  const now = ports.clock.now().toISOString();
  // Once per stored close: a retried close republishes the same id.
  await publishEvents(ports, [conversationClosed(closed)]);
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
