import { getJson } from '../../local/tools/raw-client';
import type { ConversationEnd } from './checker';
import { StallError, withinStall } from './stall-error';

/** Routing traffic on top of the messages: who holds which conversation changes during the run. */
export interface RoutingOptions {
  /** Chance per send that the conversation's agent closes it first and its customer starts a new one. */
  readonly closeChance: number;
  /** Chance per send that the conversation's agent first transfers it to another agent. */
  readonly transferChance: number;
  /** Agents set `away` for a moment and back `online`, this many times over the run (evenly spaced). */
  readonly statusFlips: number;
  /** Agents set `offline` (their conversations reassigned to others), then back online, this many times. */
  readonly offlines: number;
  /** After the traffic, how long conversations may take to leave `queued` or an offline agent before they count as stranded. */
  readonly settleMs: number;
}

/** What the routing driver needs from the run: its participants, sends and a supervisor's view. */
export interface RoutingHost {
  readonly httpUrl: () => string;
  readonly supervisorToken: () => Promise<string>;
  readonly agents: readonly RoutingAgent[];
  /** Sends of this conversation not yet acked or failed. */
  readonly pendingIn: (conversationId: string) => number;
  /** Starts a conversation for the customer (a counted send) and answers its id once acked. */
  readonly startConversation: (customerId: string, text: string) => Promise<string>;
  readonly random: () => number;
  readonly stallMs: number;
  readonly log: (line: string) => void;
  /**
   * The code of an `error` frame the agent's devices got for this action (and conversation)
   * at or after `sinceMs`, if any: a routing change the server refused never shows.
   */
  readonly refusal: (agentId: string, action: string, conversationId: string | undefined, sinceMs: number) => string | undefined;
}

/** Refusals a moment of Redis or DynamoDB trouble explains: the agent (or console) tries again. */
const RETRYABLE_REFUSALS: readonly string[] = ['unavailable', 'rate_limited', 'internal'];

/**
 * A control frame with neither its effect nor a refusal this long after it was sent is sent
 * again: the frame or its answer can be lost with a connection the faults cut (the answer goes
 * only to the connection that asked), as a console's request times out and is retried.
 */
const CONTROL_RESEND_MS = 15_000;

export interface RoutingAgent {
  readonly userId: string;
  /** The agent's device clients now (a reload replaces one). */
  readonly clients: () => readonly {
    setStatus(status: 'online' | 'away' | 'offline'): void;
    transfer(conversationId: string, target: { toAgentId: string }): void;
    closeConversation(conversationId: string): void;
    readonly state: string;
  }[];
}

export interface RoutingCounts {
  closes: number;
  newConversations: number;
  transfers: number;
  statusFlips: number;
  offlines: number;
  reassigned: number;
  /** Transfers the server refused (`conflict`: the target was not online or full as it saw it, e.g. right after a Redis flush). */
  transfersRefused: number;
  /** Operations whose outcome never showed (a transfer or reassignment not seen, a close never announced). */
  problems: string[];
}

/** One HTTP poll's longest wait: the wait around it retries until its own deadline. */
const REQUEST_TIMEOUT_MS = 15_000;

interface RosterEntry {
  readonly id: string;
  readonly status: string;
  readonly capacity: number;
  readonly conversations: readonly { id: string }[];
}

const POLL_MS = 200;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Drives closes, new conversations, transfers, status changes and reassignments, one at a time
 * (so capacity is always there for the next), and keeps track of who holds each conversation,
 * who held it before, and which conversations must not be sent to while their owner changes.
 * A send is only ever made by a conversation's current participant: any `forbidden` or
 * `conflict` the checker sees is the server's fault.
 */
export class RoutingDriver {
  readonly counts: RoutingCounts = {
    closes: 0,
    newConversations: 0,
    transfers: 0,
    statusFlips: 0,
    offlines: 0,
    reassigned: 0,
    transfersRefused: 0,
    problems: [],
  };
  private readonly owner = new Map<string, string>();
  private readonly customerOf = new Map<string, string>();
  private readonly formerAgents = new Map<string, Set<string>>();
  private readonly pausedConversations = new Set<string>();
  private readonly closed = new Set<string>();
  private lock: Promise<void> = Promise.resolve();
  /**
   * Set once a routing change never showed: the run has failed, and every further change would
   * wait out the stall timeout too (one at a time), so the traffic goes on without them.
   */
  private givenUp = false;

  constructor(
    private readonly host: RoutingHost,
    private readonly options: RoutingOptions,
  ) {}

  /** A conversation started and assigned during setup. */
  track(conversationId: string, customerId: string, agentId: string | undefined): void {
    this.customerOf.set(conversationId, customerId);
    if (agentId) this.owner.set(conversationId, agentId);
  }

  ownerOf(conversationId: string): string | undefined {
    return this.owner.get(conversationId);
  }

  paused(conversationId: string): boolean {
    return this.pausedConversations.has(conversationId);
  }

  /** Participants owed every message, per conversation: its customer and the agent holding it at the end. */
  participants(): Map<string, string[]> {
    return new Map(
      [...this.customerOf].map(([id, customer]) => {
        const agent = this.owner.get(id);
        return [id, agent ? [customer, agent] : [customer]];
      }),
    );
  }

  formerParticipants(): Map<string, string[]> {
    return new Map([...this.formerAgents].map(([id, agents]) => [id, [...agents].filter((agent) => agent !== this.owner.get(id))]));
  }

  /**
   * Takes the server's word at the end: a conversation the server assigned elsewhere than this
   * driver knows (say, reconciliation requeued it and the router gave it to another agent) is
   * owed to the agent holding it now, and every agent that was told it held one (`assigned`,
   * `transferred` or its session) is a former participant, entitled to what it received.
   */
  adopt(ends: readonly ConversationEnd[], heldBy: ReadonlyMap<string, ReadonlySet<string>>): void {
    for (const end of ends) {
      const owner = this.owner.get(end.conversationId);
      if (end.status === 'queued' && owner) {
        // Stranded (the end check counts it): its last agent is owed nothing more.
        this.moved(end.conversationId, owner, owner);
        this.owner.delete(end.conversationId);
        continue;
      }
      if (end.status !== 'assigned' || !end.agentId || end.agentId === owner) continue;
      if (owner) this.moved(end.conversationId, owner, end.agentId);
      else this.owner.set(end.conversationId, end.agentId);
    }
    for (const [conversationId, agents] of heldBy) {
      if (!this.customerOf.has(conversationId)) continue;
      const former = this.formerAgents.get(conversationId) ?? new Set<string>();
      for (const agent of agents) former.add(agent);
      this.formerAgents.set(conversationId, former);
    }
  }

  conversationIds(): string[] {
    return [...this.customerOf.keys()];
  }

  /**
   * Before a conversation's next send: maybe its agent transfers it, or closes it and the
   * customer starts a new one. Answers the conversation the customer's next send goes to.
   */
  async beforeSend(conversationId: string): Promise<string> {
    const roll = this.host.random();
    if (this.givenUp || !this.owner.has(conversationId) || this.closed.has(conversationId)) return conversationId;
    if (roll < this.options.closeChance) return this.exclusive(() => this.closeAndRestart(conversationId));
    if (roll < this.options.closeChance + this.options.transferChance) await this.exclusive(() => this.transfer(conversationId));
    return conversationId;
  }

  /** An agent-wide change at one of the run's evenly spaced points. */
  agentWide(kind: 'status-flip' | 'offline'): Promise<void> {
    if (this.givenUp) return Promise.resolve();
    return this.exclusive(() => (kind === 'status-flip' ? this.statusFlip() : this.offlineAndBack()));
  }

  /**
   * After the traffic: waits until `settleMs` after `since` (the last stack fault: a requeue
   * it causes must have had time to happen), then up to `settleMs` more for no conversation
   * to be queued or held by an offline agent, and reports where each conversation stands.
   */
  async ends(since: number): Promise<ConversationEnd[]> {
    await sleep(Math.max(0, since + this.options.settleMs - Date.now()));
    const deadline = Date.now() + this.options.settleMs;
    for (;;) {
      const ends = await this.readEnds().catch(() => undefined);
      if (!ends) {
        if (Date.now() > deadline) throw new StallError('the roster never answered after the traffic');
        await sleep(1_000);
        continue;
      }
      const stranded = ends.filter((end) => end.status === 'queued' || (end.status === 'assigned' && end.agentStatus === 'offline'));
      if (stranded.length === 0 || Date.now() > deadline) return ends;
      await sleep(1_000);
    }
  }

  private async readEnds(): Promise<ConversationEnd[]> {
    const roster = await this.roster();
    const queued = await this.answer(`${this.host.httpUrl()}/v1/conversations?status=queued&limit=100`, 'the queued list');
    const queuedIds = new Set(queued.status === 200 ? (queued.body.conversations as { id: string }[]).map((c) => c.id) : []);
    const holder = new Map<string, RosterEntry>();
    for (const entry of roster) for (const conversation of entry.conversations) holder.set(conversation.id, entry);
    return this.conversationIds().map((conversationId) => {
      const entry = holder.get(conversationId);
      if (entry) return { conversationId, status: 'assigned', agentId: entry.id, agentStatus: entry.status };
      return { conversationId, status: queuedIds.has(conversationId) ? 'queued' : this.closed.has(conversationId) ? 'closed' : 'other' };
    });
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.lock.then(operation);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Stops sends to these conversations and waits until none of theirs is in flight. */
  private async quiesce(conversationIds: readonly string[]): Promise<void> {
    for (const id of conversationIds) this.pausedConversations.add(id);
    await this.waitFor(() => conversationIds.every((id) => this.host.pendingIn(id) === 0), 'sends to settle before a routing change');
  }

  private resume(conversationIds: readonly string[]): void {
    for (const id of conversationIds) this.pausedConversations.delete(id);
  }

  private async closeAndRestart(conversationId: string): Promise<string> {
    const agentId = this.owner.get(conversationId);
    const customerId = this.customerOf.get(conversationId)!;
    if (!agentId) return conversationId;
    await this.quiesce([conversationId]);
    try {
      const gone = await this.controlUntil(
        agentId,
        { action: 'close', conversationId },
        (client) => client.closeConversation(conversationId),
        async () => !(await this.roster()).some((entry) => entry.conversations.some((c) => c.id === conversationId)),
        `${conversationId} to close`,
      );
      if (gone !== 'done') {
        if (gone !== 'stalled') this.counts.problems.push(`${agentId}'s close of ${conversationId} was refused ${gone.refused}`);
        return conversationId;
      }
      this.closed.add(conversationId);
      this.counts.closes += 1;
      const next = await withinStall(
        this.host.startConversation(customerId, `a new question after ${conversationId} closed`),
        this.host.stallMs,
        `${customerId}'s new conversation after ${conversationId} closed to be acked`,
      );
      this.customerOf.set(next, customerId);
      this.counts.newConversations += 1;
      const holder = await this.waitForHolder(next, () => true);
      if (holder) this.owner.set(next, holder);
      return next;
    } finally {
      this.resume([conversationId]);
    }
  }

  private async transfer(conversationId: string): Promise<void> {
    const from = this.owner.get(conversationId);
    if (!from) return;
    const roster = await this.roster().catch(() => undefined);
    if (!roster) return; // the stack is restarting: no transfer this time
    const candidates = roster.filter(
      (entry) =>
        entry.id !== from && entry.status === 'online' && entry.conversations.length < entry.capacity && this.isChaosAgent(entry.id),
    );
    if (candidates.length === 0) return;
    const to = candidates[Math.floor(this.host.random() * candidates.length)]!.id;
    await this.quiesce([conversationId]);
    try {
      // The server may have moved it meanwhile (its agent was lost and it went to another):
      // then `from` cannot transfer it, and "held by someone else" would not mean it moved.
      const current = await this.roster().catch(() => undefined);
      const heldBy = current?.find((entry) => entry.conversations.some((c) => c.id === conversationId))?.id;
      if (heldBy !== from) {
        if (heldBy) this.moved(conversationId, from, heldBy);
        return;
      }
      let holder: string | undefined;
      const outcome = await this.controlUntil(
        from,
        { action: 'transfer', conversationId },
        (client) => client.transfer(conversationId, { toAgentId: to }),
        async () => {
          const entry = (await this.roster()).find((candidate) => candidate.conversations.some((c) => c.id === conversationId));
          holder = entry && entry.id !== from ? entry.id : undefined;
          return holder !== undefined;
        },
        `${conversationId} to be transferred to ${to}`,
      );
      if (outcome !== 'done') {
        // The server saw the target differently (not online, or full): the conversation stays
        // with its agent, as the refusal said. Any other refusal is a defect.
        if (outcome !== 'stalled' && outcome.refused === 'conflict') {
          this.counts.transfersRefused += 1;
          this.host.log(`routing: transfer of ${conversationId} to ${to} refused (conflict)`);
        } else if (outcome !== 'stalled') {
          this.counts.problems.push(`${from}'s transfer of ${conversationId} was refused ${outcome.refused}`);
        }
        return;
      }
      if (!holder) return;
      if (holder !== to) this.counts.problems.push(`${conversationId} transferred to ${to} ended with ${holder}`);
      this.moved(conversationId, from, holder);
      this.counts.transfers += 1;
    } finally {
      this.resume([conversationId]);
    }
  }

  private async statusFlip(): Promise<void> {
    const agent = this.pick();
    if (!agent) return;
    await this.controlUntil(
      agent,
      { action: 'status' },
      (client) => client.setStatus('away'),
      () => true,
      `${agent} to go away`,
    );
    await sleep(500 + Math.floor(this.host.random() * 1_500));
    await this.setOnline(agent);
    this.counts.statusFlips += 1;
  }

  /** Sets an agent offline: every conversation it holds goes to another agent, whose devices must then get the whole history. */
  private async offlineAndBack(): Promise<void> {
    const agent = this.pick((id) => [...this.owner.values()].includes(id));
    if (!agent) return;
    const held = [...this.owner].filter(([id, holder]) => holder === agent && !this.closed.has(id)).map(([id]) => id);
    await this.quiesce(held);
    try {
      const offline = await this.controlUntil(
        agent,
        { action: 'status' },
        (client) => client.setStatus('offline'),
        async () => (await this.roster()).some((entry) => entry.id === agent && entry.status === 'offline'),
        `${agent} offline`,
      );
      if (offline !== 'done') {
        if (offline !== 'stalled') this.counts.problems.push(`${agent} going offline was refused ${offline.refused}`);
        return;
      }
      for (const conversationId of held) {
        const holder = await this.waitForHolder(conversationId, (agentId) => agentId !== agent);
        if (!holder) {
          // Requeued and never assigned again: nobody may send as its agent; the end check counts it.
          this.owner.delete(conversationId);
          this.formerAgents.set(conversationId, new Set([...(this.formerAgents.get(conversationId) ?? []), agent]));
          continue;
        }
        this.moved(conversationId, agent, holder);
        this.counts.reassigned += 1;
      }
      await this.setOnline(agent);
      this.counts.offlines += 1;
    } finally {
      this.resume(held);
    }
  }

  private moved(conversationId: string, from: string, to: string): void {
    const former = this.formerAgents.get(conversationId) ?? new Set<string>();
    former.add(from);
    this.formerAgents.set(conversationId, former);
    this.owner.set(conversationId, to);
  }

  private async setOnline(agentId: string): Promise<void> {
    const online = await this.controlUntil(
      agentId,
      { action: 'status' },
      (client) => client.setStatus('online'),
      async () => (await this.roster()).some((entry) => entry.id === agentId && entry.status === 'online'),
      `${agentId} online`,
    );
    if (online !== 'done' && online !== 'stalled') this.counts.problems.push(`${agentId} going online was refused ${online.refused}`);
  }

  private pick(filter: (agentId: string) => boolean = () => true): string | undefined {
    const agents = this.host.agents.map((agent) => agent.userId).filter(filter);
    return agents[Math.floor(this.host.random() * agents.length)];
  }

  private isChaosAgent(id: string): boolean {
    return this.host.agents.some((agent) => agent.userId === id);
  }

  /**
   * Sends a control frame from one of the agent's connected devices; a device that is
   * reconnecting (a restart, a cut connection) refuses it, so this tries until one takes it.
   */
  private control(agentId: string, act: (client: ReturnType<RoutingAgent['clients']>[number]) => void, what: string): Promise<boolean> {
    const agent = this.host.agents.find((candidate) => candidate.userId === agentId);
    return this.waitFor(() => {
      for (const client of agent?.clients() ?? []) {
        try {
          act(client);
          return true;
        } catch {
          // not connected right now: the next device, or the next poll
        }
      }
      return false;
    }, what);
  }

  /**
   * Sends a routing control frame until `done()` shows its effect: a refusal a fault explains
   * (RETRYABLE_REFUSALS) sends it again, as an agent would, and so does no answer within
   * CONTROL_RESEND_MS; any other refusal is answered (`refused`); no effect and no refusal
   * within the stall timeout is `stalled` (a problem).
   */
  private async controlUntil(
    agentId: string,
    request: { action: string; conversationId?: string },
    act: (client: ReturnType<RoutingAgent['clients']>[number]) => void,
    done: () => boolean | Promise<boolean>,
    what: string,
  ): Promise<'done' | 'stalled' | { refused: string }> {
    const deadline = Date.now() + this.host.stallMs;
    for (;;) {
      const sentAt = Date.now();
      if (!(await this.control(agentId, act, `${what} (sending)`))) return 'stalled';
      let refused: string | undefined;
      const answered = async () => {
        refused = this.host.refusal(agentId, request.action, request.conversationId, sentAt);
        return refused !== undefined || (await done());
      };
      const resendAt = sentAt + CONTROL_RESEND_MS;
      if (resendAt < deadline && !(await this.poll(answered, resendAt))) {
        this.host.log(`routing: ${what}: no answer in ${CONTROL_RESEND_MS / 1000} s, sending again`);
        continue;
      }
      const settled = await this.waitFor(answered, what, deadline);
      if (!settled) return 'stalled';
      if (refused === undefined) return 'done';
      if (!RETRYABLE_REFUSALS.includes(refused)) return { refused };
      this.host.log(`routing: ${what}: refused ${refused}, sending again`);
      await sleep(500);
    }
  }

  /** The agent holding the conversation once `accept` agrees with it, or undefined after a stall. */
  private async waitForHolder(conversationId: string, accept: (agentId: string) => boolean): Promise<string | undefined> {
    let holder: string | undefined;
    await this.waitFor(async () => {
      const entry = (await this.roster()).find((candidate) => candidate.conversations.some((c) => c.id === conversationId));
      holder = entry && accept(entry.id) ? entry.id : undefined;
      return holder !== undefined;
    }, `${conversationId} to be assigned`);
    return holder;
  }

  /** Whether `done()` holds before `until` (no problem recorded when it does not). */
  private async poll(done: () => boolean | Promise<boolean>, until: number): Promise<boolean> {
    for (;;) {
      if (
        await Promise.resolve()
          .then(done)
          .catch(() => false)
      )
        return true;
      if (Date.now() > until) return false;
      await sleep(POLL_MS);
    }
  }

  private async waitFor(done: () => boolean | Promise<boolean>, what: string, deadline = Date.now() + this.host.stallMs): Promise<boolean> {
    while (
      !(await Promise.resolve()
        .then(done)
        .catch(() => false))
    ) {
      if (Date.now() > deadline) {
        this.counts.problems.push(`gave up waiting ${this.host.stallMs / 1000} s for ${what}`);
        if (!this.givenUp) this.host.log('routing: no more routing changes in this run (one never showed)');
        this.givenUp = true;
        this.host.log(`routing: gave up waiting for ${what}`);
        return false;
      }
      await sleep(POLL_MS);
    }
    return true;
  }

  private async roster(): Promise<RosterEntry[]> {
    const answer = await this.answer(`${this.host.httpUrl()}/v1/roster`, 'the roster');
    if (answer.status !== 200) throw new Error(`roster answered ${answer.status}`);
    return answer.body.agents as RosterEntry[];
  }

  /** A supervisor's GET, bounded: a request the stack never answers counts as a failed poll. */
  private async answer(url: string, what: string): ReturnType<typeof getJson> {
    return withinStall(
      this.host.supervisorToken().then((token) => getJson(url, token)),
      Math.min(this.host.stallMs, REQUEST_TIMEOUT_MS),
      what,
    );
  }
}
