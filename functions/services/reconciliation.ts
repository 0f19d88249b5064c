import type { Conversation } from '../domain/conversation';
import { claimBacks, conversationOfClaim, currentClaim, epochOf } from '../domain/routing-claims';
import { servesSkill } from '../domain/routing';
import type { Ports } from './context';
import { broadcast } from './broadcast';
import { graceForgottenAgent } from './presence-recovery';
import { sweepPresence } from './presence-sweep';
import { mapBounded } from '../shared/bounded-pool';

/** Queued conversations read to find skills with someone waiting. */
const WAITING_SAMPLE = 200;
/**
 * Agents worked on at once: each costs a few Redis commands (and a DynamoDB read per young
 * unbacked claim). Sequential, a few thousand agents would not fit the function's timeout;
 * unbounded, one run would burst Redis and DynamoDB with thousands of requests at once.
 */
export const RECONCILE_PARALLELISM = 8;

export interface ReconcileReport {
  readonly agentsChecked: number;
  /** Claims a conversation assigned in DynamoDB had but Redis did not (load was too low). */
  readonly claimsAdded: number;
  /** Claims no assignment backed, e.g. left by a crash between claim and write (load was too high). */
  readonly claimsRemoved: number;
  /** Agents whose presence expired in this run. */
  readonly agentsLost: readonly string[];
  /** Offline agents still holding conversations (an earlier trigger was lost): re-announced. */
  readonly agentsStranded: readonly string[];
  /**
   * Agents Redis had lost (no state) whose record says online or away and who hold a live
   * connection: their presence was put back for one grace period instead of requeueing.
   */
  readonly agentsGraced: readonly string[];
  /** Agents with spare capacity while their queues wait: nudged with `agent.available`. */
  readonly agentsNudged: readonly string[];
}

/**
 * Rebuilds Redis load from DynamoDB, the source of truth: each agent's claims become exactly
 * the claims of the conversations assigned to it. Missing claims are added at once; stale
 * ones are removed only when older than claimMinAgeSeconds, because a router between its
 * claim and its conditional write holds a claim nothing backs yet. Runs every minute (an
 * EventBridge rule on AWS, a timer locally) and is safe to run concurrently with routing.
 * Redis is a cache: an agent it lost is given the grace from its DynamoDB record, not requeued.
 */
export async function reconcile(ports: Ports): Promise<ReconcileReport> {
  const agentsLost = await sweepPresence(ports);
  // Redis first: a claim made and written after this read is merely seen as missing, and
  // adding a claim that exists changes nothing.
  const agents = await ports.presence.snapshot();
  const assigned = await ports.conversations.listAllAssigned();
  const now = ports.clock.now();
  const removeBeforeMs = now.getTime() - ports.settings.claimMinAgeSeconds * 1000;

  const byAgent = new Map<string, Conversation[]>();
  for (const conversation of assigned) {
    const agentId = conversation.agent?.id;
    if (agentId) byAgent.set(agentId, [...(byAgent.get(agentId) ?? []), conversation]);
  }
  const known = new Map(agents.map((agent) => [agent.id, agent]));
  let claimsAdded = 0;
  let claimsRemoved = 0;
  const loads = new Map<string, number>();
  await mapBounded([...new Set([...known.keys(), ...byAgent.keys()])], RECONCILE_PARALLELISM, async (agentId) => {
    const expected = new Set((byAgent.get(agentId) ?? []).map(currentClaim));
    const held = known.get(agentId)?.claims ?? new Map<string, number>();
    const add = [...expected].filter((claim) => !held.has(claim));
    const remove = [...held.keys()].filter((claim) => !expected.has(claim));
    const passed = await claimsPassed(
      ports,
      agentId,
      remove.filter((claim) => (held.get(claim) ?? 0) >= removeBeforeMs),
    );
    const repaired = await ports.presence.repairClaims(agentId, { add, remove, removeBeforeMs }, now.toISOString());
    // Nothing can back these any more, however young: gone now rather than after claimMinAgeSeconds.
    const early =
      passed.length === 0
        ? { removed: 0 }
        : await ports.presence.repairClaims(
            agentId,
            { add: [], remove: passed, removeBeforeMs: Number.MAX_SAFE_INTEGER },
            now.toISOString(),
          );
    const changed = { added: repaired.added, removed: repaired.removed + early.removed };
    if (changed.added + changed.removed > 0) {
      ports.log.warn('Agent load drifted from DynamoDB; repaired', { agentId, ...changed });
    }
    claimsAdded += changed.added;
    claimsRemoved += changed.removed;
    loads.set(agentId, held.size + changed.added - changed.removed);
  });

  const agentsStranded: string[] = [];
  const agentsGraced: string[] = [];
  const offline = [...byAgent.keys()].filter(
    (agentId) => (known.get(agentId)?.status ?? 'offline') === 'offline' && !agentsLost.includes(agentId),
  );
  await mapBounded(offline, RECONCILE_PARALLELISM, async (agentId) => {
    // Absent from Redis is not offline: Redis may have lost its data while the agent works on.
    const verdict = known.get(agentId)?.known ? 'lost' : await graceForgottenAgent(ports, agentId);
    if (verdict === 'graced') agentsGraced.push(agentId);
    else if (verdict === 'lost') agentsStranded.push(agentId);
  });
  await mapBounded(agentsStranded, RECONCILE_PARALLELISM, async (agentId) => {
    await ports.routingQueue.publish({ type: 'agent.lost', agentId });
    await broadcast(ports, [agentId], { type: 'status', status: 'offline', reason: 'lapsed' });
  });

  const waitingSkills = new Set((await ports.conversations.listByStatus('queued', WAITING_SAMPLE)).map((c) => c.skill));
  const agentsNudged: string[] = [];
  if (waitingSkills.size > 0) {
    const idle = (await ports.presence.listOnline()).filter(
      (agent) =>
        (loads.get(agent.id) ?? agent.load) < agent.capacity &&
        [...waitingSkills].some((skill) => servesSkill(agent, skill, ports.settings.defaultSkill)),
    );
    // Ten triggers a request: one SendMessageBatch per ten nudged agents.
    const batches = Array.from({ length: Math.ceil(idle.length / 10) }, (_, index) => idle.slice(index * 10, index * 10 + 10));
    await mapBounded(batches, RECONCILE_PARALLELISM, async (batch) => {
      await ports.routingQueue.publishAll(batch.map((agent) => ({ type: 'agent.available' as const, agentId: agent.id })));
      agentsNudged.push(...batch.map((agent) => agent.id));
    });
  }
  return { agentsChecked: loads.size, claimsAdded, claimsRemoved, agentsLost, agentsStranded, agentsGraced, agentsNudged };
}

/**
 * Of young unbacked claims, those for a transition the conversation has already made or passed
 * and do not back as it is now (a close stored while the release failed, a reassignment): no
 * write can ever be backed by them
 * (domain/routing-claims.ts), so their age protects nothing. A claim for a transition still
 * ahead (epoch e - 1: a router between its claim and its write) is kept. One read per claim;
 * there are only as many as failed releases and routers in flight.
 */
async function claimsPassed(ports: Ports, agentId: string, claims: readonly string[]): Promise<string[]> {
  const passed: string[] = [];
  for (const claim of claims) {
    const epoch = Number(claim.slice(claim.lastIndexOf('#') + 1));
    if (!Number.isInteger(epoch)) continue;
    const conversation = await ports.conversations.get(conversationOfClaim(claim));
    // Read after the assigned list: a router may have written the very assignment the claim backs since.
    if (conversation && epochOf(conversation) >= epoch && !claimBacks(conversation, agentId, claim)) passed.push(claim);
  }
  return passed;
}
