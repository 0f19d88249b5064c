import { unconfiguredMailer } from '../../../functions/adapters/system/unconfigured-mailer';
import { MemorySearchIndex } from '../../support/memory-search-index';
import type fc from 'fast-check';
import { DomainError } from '../../../functions/domain/errors';
import type { User } from '../../../functions/domain/identity';
import { currentClaim } from '../../../functions/domain/routing-claims';
import { servesSkill } from '../../../functions/domain/routing';
import type { AgentDirectory, AgentProfile } from '../../../functions/ports/agent-directory';
import type { RoutingTrigger } from '../../../functions/ports/routing-queue';
import type { ServerFrame } from '../../../functions/protocol/server-frames';
import { setStatus } from '../../../functions/services/agents';
import type { Ports, Settings } from '../../../functions/services/context';
import { close, openConversation } from '../../../functions/services/conversations';
import { sweepPresence } from '../../../functions/services/presence-sweep';
import { reconcile } from '../../../functions/services/reconciliation';
import { handleTriggers } from '../../../functions/services/routing';
import { transfer } from '../../../functions/services/transfer';
import { FakePresence } from './fake-presence';
import { FakeAgentStatusRecord } from './fake-status-record';
import { CrashError, FakeConversationStore, runContext } from './fake-store';
import { FakeNoteStore } from './fake-note-store';

export const DEFAULT_SKILL = 'general';
export const SKILLS = [DEFAULT_SKILL, 'billing', 'tech'] as const;

export interface AgentSpec {
  readonly skills: readonly string[];
  readonly capacity: number;
}

export type Command =
  | { readonly kind: 'start'; readonly customer: number; readonly skill: string }
  | { readonly kind: 'status'; readonly agent: number; readonly status: 'online' | 'away' | 'offline' }
  | { readonly kind: 'expire'; readonly agent: number }
  | { readonly kind: 'deliver'; readonly pick: number; readonly batch: number; readonly duplicate: boolean; readonly crash: boolean }
  | { readonly kind: 'close'; readonly pick: number; readonly byAgent: boolean }
  | { readonly kind: 'transfer'; readonly pick: number; readonly toAgent: number | null; readonly toSkill: string }
  | { readonly kind: 'reconcile' };

const unused = (what: string) => () => {
  throw new Error(`${what} is not part of routing`);
};

/**
 * The real routing services (services/routing.ts, transfer, close, status, presence sweep,
 * reconciliation) over in-memory ports. Every port call is a scheduling point of the
 * fast-check scheduler, so concurrent commands interleave in every order it chooses.
 */
export class RoutingWorld {
  readonly store: FakeConversationStore;
  readonly presence: FakePresence;
  readonly statuses = new FakeAgentStatusRecord();
  readonly triggers: RoutingTrigger[] = [];
  readonly frames = new Map<string, ServerFrame[]>();
  /** Business metrics the use cases recorded, in order. */
  readonly recordedMetrics: Array<{ name: string; value: number }> = [];
  readonly ports: Ports;
  readonly agents: User[];
  /** Commands that ran and commands refused: a world that refused everything proves nothing. */
  readonly outcomes = { applied: 0, refused: 0 };
  private readonly profiles = new Map<string, AgentProfile>();
  private clockMs = Date.parse('2026-01-01T00:00:00.000Z');
  private ids = 0;

  constructor(specs: readonly AgentSpec[], scheduler: fc.Scheduler) {
    const pause = () => scheduler.schedule(Promise.resolve()).then(() => undefined);
    this.store = new FakeConversationStore(pause);
    this.presence = new FakePresence(DEFAULT_SKILL, pause);
    this.agents = specs.map((spec, index) => ({ id: `agent-${index}`, role: 'agent', name: `Agent ${index}`, skills: spec.skills }));
    for (const [index, spec] of specs.entries()) {
      this.profiles.set(`agent-${index}`, {
        id: `agent-${index}`,
        email: `a${index}@example.com`,
        name: `Agent ${index}`,
        role: 'agent',
        skills: spec.skills,
        capacity: spec.capacity,
      });
    }
    const directory: AgentDirectory = {
      get: async (id) => this.profiles.get(id),
      findByEmail: async () => undefined,
      put: unused('put'),
      list: async () => [...this.profiles.values()],
      remove: unused('remove'),
    };
    const settings: Settings = {
      heartbeatSeconds: 30,
      defaultSkill: DEFAULT_SKILL,
      connectionTtlSeconds: 7500,
      guestTokenSeconds: 3600,
      agentTokenSeconds: 3600,
      staffAccessTokenSeconds: 900,
      presenceGraceSeconds: 60,
      claimMinAgeSeconds: 120,
      abandonAfterSeconds: 900,
      abandonCloseAfterSeconds: 300,
      agentLeaveGraceSeconds: 15,
      queueTicketOfferSeconds: 600,
      maxConnections: { customer: 10, staff: 20 },
      oidcIdPrefixes: [],
      maxTokenSeconds: { customer: 3600, agent: 3600, supervisor: 3600, admin: 3600 },
    };
    this.ports = {
      conversations: this.store,
      notes: new FakeNoteStore(),
      tickets: {
        create: unused('tickets'),
        convert: unused('tickets'),
        update: unused('tickets'),
        list: unused('tickets'),
        findByReplyToken: unused('tickets'),
        recordOffer: unused('tickets'),
      },
      autoReplies: { get: async () => undefined, put: unused('auto-replies') },
      search: new MemorySearchIndex(),
      cannedResponses: {
        list: unused('canned-responses'),
        get: unused('canned-responses'),
        count: unused('canned-responses'),
        put: unused('canned-responses'),
        delete: unused('canned-responses'),
        claimShortcut: unused('canned-responses'),
        takeOverShortcut: unused('canned-responses'),
        releaseShortcut: unused('canned-responses'),
      },
      connections: {
        put: async () => undefined,
        remove: async () => undefined,
        listForUser: async (userId) => [
          { connectionId: userId, userId, role: 'agent', connectedAt: '', expiresAt: Number.MAX_SAFE_INTEGER },
        ],
      },
      notifier: {
        send: async (connectionId, frame) => {
          this.frames.set(connectionId, [...(this.frames.get(connectionId) ?? []), frame]);
          return 'sent';
        },
        disconnect: async () => undefined,
      },
      reports: {
        claimEvent: unused('reports'),
        releaseEvent: unused('reports'),
        add: unused('reports'),
        putRating: unused('reports'),
        rowsOf: unused('reports'),
        ratingsOf: unused('reports'),
      },
      audit: { record: unused('audit') },
      erasure: new Proxy({}, { get: () => unused('erasure') }) as never,
      events: { publish: async () => {} },
      routingQueue: {
        publish: async (trigger) => {
          await pause();
          this.triggers.push(trigger);
        },
        publishAll: async (triggers) => {
          for (const trigger of triggers) await this.ports.routingQueue.publish(trigger);
        },
      },
      agents: directory,
      credentials: { passwordHash: unused('credentials'), setPasswordHash: unused('credentials'), remove: unused('credentials') },
      sessions: { create: unused('sessions'), get: unused('sessions'), rotate: unused('sessions'), revoke: unused('sessions') },
      opaqueTokens: { generate: unused('opaque tokens'), hash: unused('opaque tokens') },
      presence: this.presence,
      agentStatuses: this.statuses,
      // Every skill counts as configured: routing is what these tests drive.
      skills: { list: async () => [], has: async () => true, put: unused('skills'), remove: unused('skills') },
      hours: {
        get: async () => undefined,
        put: unused('hours'),
        lastAnnounced: async () => undefined,
        rememberAnnounced: async () => undefined,
      },
      mailer: unconfiguredMailer,
      emailAddresses: { statusOf: unused('email addresses'), mark: unused('email addresses'), listSuppressed: unused('email addresses') },
      inboundMail: { read: unused('inbound mail') },
      tokens: { issue: unused('tokens'), verify: unused('tokens') },
      rateLimiter: { consume: unused('rate limits') },
      loginBackoff: { lockedForMs: unused('login'), recordFailure: unused('login'), reset: unused('login') },
      passwords: { hash: unused('passwords'), verify: unused('passwords'), decoyHash: '' },
      clock: {
        now: () => {
          this.clockMs += 1000;
          return new Date(this.clockMs);
        },
      },
      ids: { next: () => `c${String(++this.ids).padStart(4, '0')}` },
      settings,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: {
        count: (name, value = 1) => this.recordedMetrics.push({ name, value }),
        seconds: (name, value) => this.recordedMetrics.push({ name, value }),
      },
    };
  }

  capacityOf(agentId: string): number {
    return this.profiles.get(agentId)?.capacity ?? 0;
  }

  advanceClock(seconds: number): void {
    this.clockMs += seconds * 1000;
  }

  private customer(index: number): User {
    return { id: `customer-${index}`, role: 'customer', name: `Customer ${index}`, skills: [] };
  }

  private pick<T>(list: readonly T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  /**
   * Runs up to `batch` triggers together as the router runs an SQS batch; a failed one (a
   * crash) stays on the queue, as SQS redelivers what the batch response reports failed.
   */
  async deliver(pick: number, duplicate: boolean, crash: boolean, batch = 1): Promise<void> {
    if (this.triggers.length === 0) return;
    const start = pick % this.triggers.length;
    const count = Math.min(batch, this.triggers.length);
    const indexes = Array.from({ length: count }, (_, offset) => (start + offset) % this.triggers.length);
    const picked = indexes.map((index) => this.triggers[index]!);
    if (!duplicate) for (const index of [...indexes].sort((a, b) => b - a)) this.triggers.splice(index, 1);
    if (crash) this.store.crashNextAssign = true;
    const outcomes = await runContext.run({ listedAt: new Map(), claimed: new Set() }, () => handleTriggers(this.ports, picked));
    for (const outcome of outcomes) {
      if (!('error' in outcome)) continue;
      if (!(outcome.error instanceof CrashError)) throw outcome.error;
      if (!duplicate) this.triggers.push(outcome.trigger);
    }
  }

  async run(command: Command): Promise<void> {
    try {
      await this.apply(command);
      this.outcomes.applied++;
    } catch (error) {
      // A command that lost a race is refused with a protocol error; that is correct behaviour.
      if (error instanceof DomainError || error instanceof CrashError) {
        this.outcomes.refused++;
        return;
      }
      throw error;
    }
  }

  private async apply(command: Command): Promise<void> {
    const ports = this.ports;
    switch (command.kind) {
      case 'start':
        await openConversation(ports, { user: this.customer(command.customer) }, { skill: command.skill });
        return;
      case 'status':
        await setStatus(ports, { user: this.agents[command.agent % this.agents.length]! }, { action: 'status', status: command.status });
        return;
      case 'expire':
        this.presence.expire(this.agents[command.agent % this.agents.length]!.id);
        await sweepPresence(ports);
        return;
      case 'deliver':
        return this.deliver(command.pick, command.duplicate, command.crash, command.batch);
      case 'close': {
        const open = [...this.store.items.values()].filter((c) => c.status !== 'closed');
        const conversation = this.pick(open, command.pick);
        if (!conversation) return;
        const agent = conversation.agent ? this.agents.find((a) => a.id === conversation.agent!.id) : undefined;
        const user = command.byAgent && agent ? agent : this.customer(Number(conversation.customer.id.split('-')[1]));
        await close(ports, { user }, { action: 'close', conversationId: conversation.id });
        return;
      }
      case 'transfer': {
        const assigned = [...this.store.items.values()].filter((c) => c.status === 'assigned');
        const conversation = this.pick(assigned, command.pick);
        const user = conversation && this.agents.find((a) => a.id === conversation.agent?.id);
        if (!conversation || !user) return;
        const target = command.toAgent === null ? undefined : this.agents[command.toAgent % this.agents.length];
        await transfer(
          ports,
          { user },
          {
            action: 'transfer',
            conversationId: conversation.id,
            ...(target ? { toAgentId: target.id } : { toSkill: command.toSkill }),
            note: 'for agents only',
          },
        );
        return;
      }
      case 'reconcile':
        await reconcile(ports);
        return;
    }
  }

  /** Safety invariants: they hold at every quiescent point, whatever ran before. */
  safetyProblems(): string[] {
    const problems = this.store.violations.map((violation) => `${violation.kind}: ${violation.detail}`);
    const assigned = [...this.store.items.values()].filter((c) => c.status === 'assigned');
    for (const agent of this.agents) {
      const mine = assigned.filter((c) => c.agent?.id === agent.id);
      if (mine.length > this.capacityOf(agent.id)) problems.push(`over capacity: ${agent.id} has ${mine.length}`);
      const held = this.presence.agents.get(agent.id)?.held ?? new Map();
      for (const conversation of mine) {
        if (!held.has(currentClaim(conversation))) problems.push(`unclaimed: ${conversation.id} on ${agent.id} has no claim in Redis`);
      }
    }
    for (const [conversationId, transitions] of this.store.assignTransitions) {
      const told = (this.frames.get(this.store.items.get(conversationId)!.customer.id) ?? []).filter(
        (frame) => frame.type === 'assigned' && frame.conversationId === conversationId,
      ).length;
      if (told !== transitions) problems.push(`announced ${told} assignments of ${conversationId} for ${transitions} made`);
    }
    return problems;
  }

  /**
   * Once triggers drain, before any reconciliation: nobody waits while an agent eligible by
   * Redis's own count (online, live, serving the skill, holding fewer claims than its
   * capacity) could take it. Claims left by crashes count as load until reconciliation.
   */
  drainedProblems(): string[] {
    const problems: string[] = [];
    for (const conversation of [...this.store.items.values()].filter((c) => c.status === 'queued')) {
      for (const agent of this.agents) {
        const state = this.presence.agents.get(agent.id);
        const held = state?.held.size ?? 0;
        const eligible = state?.status === 'online' && state.alive && servesSkill(agent, conversation.skill, DEFAULT_SKILL);
        if (eligible && held < this.capacityOf(agent.id)) {
          problems.push(
            `${conversation.id} (${conversation.skill}) waits after the triggers drained while ${agent.id} holds ${held}/${this.capacityOf(agent.id)}`,
          );
        }
      }
    }
    return problems;
  }

  /** Once triggers drain: nobody waits while an eligible agent has room, and Redis load is exact. */
  livenessProblems(): string[] {
    const problems: string[] = [];
    const all = [...this.store.items.values()];
    for (const conversation of all.filter((c) => c.status === 'queued')) {
      for (const agent of this.agents) {
        const state = this.presence.agents.get(agent.id);
        const load = all.filter((c) => c.status === 'assigned' && c.agent?.id === agent.id).length;
        const eligible = state?.status === 'online' && state.alive && servesSkill(agent, conversation.skill, DEFAULT_SKILL);
        if (eligible && load < this.capacityOf(agent.id)) {
          problems.push(
            `${conversation.id} (${conversation.skill}) waits while ${agent.id} has room (${load}/${this.capacityOf(agent.id)})`,
          );
        }
      }
    }
    for (const agent of this.agents) {
      const expected = all
        .filter((c) => c.status === 'assigned' && c.agent?.id === agent.id)
        .map(currentClaim)
        .sort();
      const held = [...(this.presence.agents.get(agent.id)?.held.keys() ?? [])].sort();
      if (JSON.stringify(expected) !== JSON.stringify(held))
        problems.push(`load of ${agent.id}: Redis ${held.join(',')} vs DynamoDB ${expected.join(',')}`);
    }
    return problems;
  }
}
