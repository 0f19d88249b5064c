import { recordAssignment } from './assignment-metrics';
import type { Conversation } from '../domain/conversation';
import { participantIds, toSummary } from '../domain/conversation';
import { claimBacks, epochOf, nextClaim } from '../domain/routing-claims';
import { directoryReadStillValid } from '../domain/send-window';
import type { ClaimOutcome, QueueOutlook } from '../ports/agent-presence';
import type { ConnectionsLookup } from '../ports/connection-directory';
import type { ServerFrame } from '../protocol/server-frames';
import { broadcast, forgetGoneConnection, liveConnectionsOf, sendInOrder } from './broadcast';
import type { Ports } from './context';
import type { Outlooks, QueueView } from './queue-positions';
import { conversationAssigned } from '../domain/event-facts';
import { publishEvents } from './domain-events';

/** Waiting conversations read per skill and page while draining. */
export const DRAIN_PAGE = 50;
/** Decisions one router invocation makes before handing the rest to a fresh trigger. */
export const MAX_DECISIONS_PER_RUN = 200;
/**
 * Decisions one run has in flight at once. Their claims go out one after another in queue
 * order (each once the one before holds its agent); their writes overlap, so a long queue
 * drains in about a tenth of the sequential time (docs/routing.md "Decisions in flight").
 */
export const DECISIONS_IN_FLIGHT = 10;
/** A decision re-reads and retries this often when the conversation changed under it. */
const ATTEMPTS_PER_CONVERSATION = 3;

/** Where a conversation sorts in its skill's queue (the queue index's sort key). */
export function queueKey(conversation: Conversation): string {
  return `${conversation.queuedAt ?? conversation.createdAt}#${conversation.id}`;
}

type Decision =
  | {
      readonly kind: 'assigned';
      readonly conversation: Conversation;
      readonly queued: Conversation;
      readonly outlook: QueueOutlook;
      /** The recipients' connections the claim read, when the write came soon enough after it to use them. */
      readonly connections?: ConnectionsLookup;
    }
  | { readonly kind: 'no-agent'; readonly outlook: QueueOutlook }
  | { readonly kind: 'moved-on'; readonly outlook?: QueueOutlook }
  /** Another router assigned it first (at `assignedAt`). */
  | { readonly kind: 'taken'; readonly assignedAt: string; readonly outlook: QueueOutlook };

/**
 * Gives a claim back unless it backs the conversation as stored now (another run with the
 * same claim won the write). Safe by construction: see domain/routing-claims.ts.
 */
export async function releaseUnlessBacking(ports: Ports, conversationId: string, agentId: string, claim: string): Promise<void> {
  const current = await ports.conversations.get(conversationId);
  if (current && claimBacks(current, agentId, claim)) return;
  await ports.presence.release(agentId, claim, ports.clock.now().toISOString());
}

/** A claim made for a conversation's next transition, not yet written. */
interface Claimed {
  readonly claim: string;
  readonly now: string;
  readonly outcome: ClaimOutcome;
}

/**
 * Claims the best agent for the conversation. With the connection directory, the same command
 * reads the recipients of the assignment's pushes (the agent and the customer): no connection
 * Query when the directory knows them (docs/connection-directory.md).
 */
async function claimFor(ports: Ports, conversation: Conversation): Promise<Claimed> {
  const now = ports.clock.now().toISOString();
  const claim = nextClaim(conversation);
  const options = ports.connectionDirectory ? { readConnectionsOf: participantIds(conversation) } : {};
  return { claim, now, outcome: await ports.presence.claimBest(conversation.skill, claim, now, options) };
}

/** What a decision does once its first claim found an agent: the next head may claim then. */
interface DecisionHooks {
  readonly onClaimed?: () => void;
}

/**
 * One routing decision for a waiting conversation: claim capacity on the best agent in one
 * Redis script, then move the conversation queued -> assigned with a conditional write on
 * its epoch. Redis: one command, plus one release only when the write lost.
 */
async function decide(ports: Ports, waiting: Conversation, hooks: DecisionHooks = {}): Promise<Decision> {
  let conversation = waiting;
  let outlook: QueueOutlook | undefined;
  for (let attempt = 0; attempt < ATTEMPTS_PER_CONVERSATION; attempt++) {
    const { claim, now, outcome } = await claimFor(ports, conversation);
    outlook = outcome;
    if (!outcome.agent) return { kind: 'no-agent', outlook };
    if (attempt === 0) hooks.onClaimed?.();
    const assigned = await ports.conversations.assign(conversation.id, outcome.agent, now, epochOf(conversation));
    if (assigned) {
      recordAssignment(ports, conversation, assigned, now);
      // A connection opened after the claim's read rechecks within a bound the write must keep (domain/send-window.ts).
      const fresh = outcome.connections && directoryReadStillValid(Date.parse(now), ports.clock.now().getTime());
      return {
        kind: 'assigned',
        conversation: assigned,
        queued: conversation,
        outlook,
        ...(fresh ? { connections: outcome.connections } : {}),
      };
    }
    const current = await ports.conversations.get(conversation.id);
    if (!(current && claimBacks(current, outcome.agent.id, claim))) {
      await ports.presence.release(outcome.agent.id, claim, ports.clock.now().toISOString());
    }
    if (current?.status === 'assigned') return { kind: 'taken', assignedAt: current.assignedAt ?? current.updatedAt, outlook };
    // Still waiting in the same queue (our copy was stale): decide again on the fresh one.
    if (current?.status !== 'queued' || current.skill !== waiting.skill) return { kind: 'moved-on', outlook };
    conversation = current;
  }
  return { kind: 'moved-on', ...(outlook ? { outlook } : {}) };
}

/**
 * Sends frames in order to every live connection of one user, reading its connections once.
 * Best effort like broadcast(): a failed post is logged, a connection reported gone removed.
 */
async function sendAllTo(ports: Ports, userId: string, frames: readonly ServerFrame[], lookup?: ConnectionsLookup): Promise<void> {
  const connections = await liveConnectionsOf(ports, userId, lookup);
  await Promise.all(
    connections.map(async (connection) => {
      try {
        if (!(await sendInOrder(ports, connection.connectionId, frames))) await forgetGoneConnection(ports, connection);
      } catch (error) {
        ports.log.warn('Live delivery failed; the recipient will catch up on sync', {
          recipientConnectionId: connection.connectionId,
          frameType: frames[0]?.type,
          error,
        });
      }
    }),
  );
}

async function announceAssignment(
  ports: Ports,
  conversation: Conversation,
  queued: Conversation,
  connections: ConnectionsLookup | undefined,
): Promise<void> {
  const agent = conversation.agent;
  if (!agent) return;
  const event = publishEvents(ports, [conversationAssigned(queued, conversation)]);
  ports.log.info('Conversation assigned', { conversationId: conversation.id, agentId: agent.id });
  const assigned: ServerFrame = { type: 'assigned', conversationId: conversation.id, agent: { id: agent.id, name: agent.name } };
  const others = participantIds(conversation).filter((id) => id !== agent.id);
  await Promise.all([
    broadcast(ports, others, assigned, { recipients: connections }),
    // The agent's two frames share one read of its connections.
    sendAllTo(ports, agent.id, [assigned, { type: 'conversation', conversation: toSummary(conversation) }], connections),
    event,
  ]);
}

/**
 * Announcements sent while the drain goes on to the next head: the assignment is already
 * stored, so the next decision need not wait for the frames. All are awaited (and a failure
 * reported) before the drain returns, so an invocation never ends with one still in flight.
 */
class PendingAnnouncements {
  private readonly sending: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  add(sending: Promise<void>): void {
    // Caught at once: a rejection must not go unhandled while the drain is still running.
    this.sending.push(
      sending.catch((error: unknown) => {
        this.failure ??= { error };
      }),
    );
  }

  async settle(): Promise<void> {
    await Promise.all(this.sending);
    if (this.failure) throw this.failure.error;
  }
}

export interface DrainResult {
  /** Skills whose queue moved (someone was assigned). */
  readonly moved: ReadonlySet<string>;
  readonly assignedIds: ReadonlySet<string>;
  /** Each drained skill's queue as last read. */
  readonly views: ReadonlyMap<string, QueueView>;
  /**
   * Skills this run stopped draining because another router assigned their head after this
   * run read the queue: that router drains on from a later read and tells the positions when
   * it stops, so this run's view of the order is already stale.
   */
  readonly overtaken: ReadonlySet<string>;
}

/**
 * Drains the skills' queues, oldest first across them, until each queue is empty or nobody
 * serving it has room. Only the head of a queue is ever tried, so within a skill
 * conversations are assigned in queue order whichever trigger started the run.
 */
export async function drain(ports: Ports, skills: readonly string[], outlooks: Outlooks): Promise<DrainResult> {
  const announcements = new PendingAnnouncements();
  let result: DrainResult;
  try {
    result = await drainQueues(ports, [...new Set(skills)], outlooks, announcements);
  } finally {
    await announcements.settle();
  }
  return result;
}

/** A decision started on a head taken out of its listing. */
interface InFlightDecision {
  readonly conversation: Conversation;
  readonly decision: Promise<Decision>;
}

/** A head that still waits goes back into its listing in queue order. */
function putBack(listing: Listing, conversation: Conversation): void {
  const at = listing.waiting.findIndex((other) => queueKey(other) > queueKey(conversation));
  listing.waiting.splice(at === -1 ? listing.waiting.length : at, 0, conversation);
}

/** One skill's page being worked through. */
interface Listing {
  waiting: Conversation[];
  /** The page was shorter than asked: it held the whole queue. */
  complete: boolean;
  taken: number;
}

async function drainQueues(
  ports: Ports,
  skills: readonly string[],
  outlooks: Outlooks,
  announcements: PendingAnnouncements,
): Promise<DrainResult> {
  const listings = new Map<string, Listing>();
  const exhausted = new Set<string>();
  const blocked = new Set<string>();
  const moved = new Set<string>();
  const assignedIds = new Set<string>();
  /** When each skill's queue was last read. */
  const listedAt = new Map<string, string>();
  const overtaken = new Set<string>();
  const result = (): DrainResult => ({ moved, assignedIds, views: listings, overtaken });
  /** The oldest head across the skills' listings as they stand (blocked skills left out). */
  const nextHead = (): Conversation | undefined => {
    let head: Conversation | undefined;
    for (const skill of skills) {
      const candidate = blocked.has(skill) ? undefined : listings.get(skill)?.waiting[0];
      if (candidate && (!head || queueKey(candidate) < queueKey(head))) head = candidate;
    }
    return head;
  };
  /** Decisions started and not yet worked through, oldest head first. */
  const inFlight: InFlightDecision[] = [];
  let started = 0;
  /** The last started decision's claim found an agent while the window was full: the next head starts when a slot frees. */
  let chainPaused = false;
  /** Decisions started and not yet settled (one taken out of `inFlight` may still be writing). */
  let running = 0;
  const start = (conversation: Conversation): void => {
    started++;
    running++;
    const decision = decide(ports, conversation, { onClaimed: claimNext });
    // Awaited in order below (or when the run fails); never unhandled meanwhile.
    decision.then(
      () => running--,
      () => running--,
    );
    inFlight.push({ conversation, decision });
  };
  /**
   * The next head starts once the last one's claim holds its agent, so claims still go out one
   * after another in queue order, while the writes overlap (up to DECISIONS_IN_FLIGHT). Only
   * when the next head is already in hand: no queue would be read again first.
   */
  let failed = false;
  function claimNext(): void {
    if (failed || started >= MAX_DECISIONS_PER_RUN) return;
    if (running >= DECISIONS_IN_FLIGHT) {
      chainPaused = true;
      return;
    }
    const rereads = skills.some((skill) => {
      if (blocked.has(skill) || exhausted.has(skill)) return false;
      const listing = listings.get(skill);
      return !listing || (listing.waiting.length === 0 && !listing.complete);
    });
    const next = rereads ? undefined : nextHead();
    const listing = next && listings.get(next.skill);
    // Its listing must not run empty unread: the queue would be read again with it still in it.
    if (!next || !listing || (listing.waiting.length < 2 && !listing.complete)) return;
    listing.waiting.shift();
    start(next);
  }
  try {
    for (;;) {
      if (inFlight.length === 0) {
        if (started >= MAX_DECISIONS_PER_RUN) break;
        await Promise.all(
          skills
            .filter((skill) => !blocked.has(skill) && !exhausted.has(skill) && (listings.get(skill)?.waiting.length ?? 0) === 0)
            .map(async (skill) => {
              // A short page worked through: the queue held nothing else when it was read, and
              // whatever joined since brings its own trigger (a fresh run drains it).
              if (listings.get(skill)?.complete) {
                exhausted.add(skill);
                return;
              }
              listedAt.set(skill, ports.clock.now().toISOString());
              const page = await ports.conversations.listQueuedPage(skill, DRAIN_PAGE);
              listings.set(skill, { waiting: page.conversations, complete: !page.more, taken: 0 });
              if (page.conversations.length === 0) exhausted.add(skill);
            }),
        );
        const first = nextHead();
        if (!first) return result();
        listings.get(first.skill)!.waiting.shift();
        start(first);
      }
      const { conversation: head, decision: pending } = inFlight.shift()!;
      const decision = await pending;
      const listing = listings.get(head.skill)!;
      if (decision.outlook) outlooks.remember(head.skill, decision.outlook);
      if (decision.kind === 'assigned') {
        moved.add(head.skill);
        assignedIds.add(head.id);
        announcements.add(announceAssignment(ports, decision.conversation, decision.queued, decision.connections));
      }
      if (decision.kind === 'no-agent') {
        blocked.add(head.skill);
        // Still waiting: it stays in the view the positions are told from, in its place. (A head
        // decided again after its first claim, its copy stale, may find nobody while the next
        // heads, claimed meanwhile, are written: docs/routing.md "Decisions in flight".)
        putBack(listing, head);
      } else {
        listing.taken++;
      }
      // Another router assigned our head after we read the queue, so it is draining it now and
      // reads it again before it stops (a drain stops only at an empty or blocked queue): it
      // will meet everything we saw, and racing it would only double every claim and write.
      // An assignment from before our read (a lagging index) proves nothing: we carry on.
      // (Heads already claimed are still written: the same claim backs either run's write.)
      if (decision.kind === 'taken' && decision.assignedAt >= (listedAt.get(head.skill) ?? '')) {
        blocked.add(head.skill);
        overtaken.add(head.skill);
      }
      if (chainPaused) {
        chainPaused = false;
        claimNext();
      }
    }
  } catch (error) {
    // A failed decision fails the run (its triggers are retried); the others still finish, and
    // what they assigned is announced: an invocation never ends with work in flight.
    failed = true;
    const rest = await Promise.allSettled(inFlight.map((entry) => entry.decision));
    for (const settled of rest) {
      if (settled.status === 'fulfilled' && settled.value.kind === 'assigned') {
        const { conversation, queued, connections } = settled.value;
        announcements.add(announceAssignment(ports, conversation, queued, connections));
      }
    }
    throw error;
  }
  // A long backlog: a fresh trigger carries on where this run stops.
  for (const skill of skills) {
    if (blocked.has(skill) || exhausted.has(skill)) continue;
    const listing = listings.get(skill);
    if (listing && listing.waiting.length === 0 && listing.complete) continue;
    const next = listing?.waiting[0] ?? (await ports.conversations.listQueued(skill, 1))[0];
    if (next) await ports.routingQueue.publish({ type: 'conversation.queued', conversationId: next.id, skill: next.skill });
  }
  return result();
}
