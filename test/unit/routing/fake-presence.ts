import { averageHandleSeconds, RECENT_HANDLE_SAMPLES } from '../../../functions/domain/queue';
import { compareCandidates, servesSkill, type AgentAvailability, type AgentStatus } from '../../../functions/domain/routing';
import type { PresenceSeen } from '../../../functions/domain/presence-recovery';
import { conversationOfClaim } from '../../../functions/domain/routing-claims';
import { runContext } from './fake-store';
import type { AgentClaims, AgentPresence, ClaimOutcome, PresenceUpdate, QueueOutlook } from '../../../functions/ports/agent-presence';

interface AgentState {
  name: string;
  status: AgentStatus;
  skills: string[];
  capacity: number;
  idleSince: string;
  statusSince?: string;
  alive: boolean;
  /** Offline because the sweep found its presence expired (not chosen). */
  lapsed?: boolean;
  /** False for claims alone (reconcile repaired them) with no status: Redis does not know the agent. */
  known?: boolean;
  held: Map<string, number>;
}

/**
 * In-memory AgentPresence with the semantics of the Lua scripts in
 * functions/adapters/upstash/scripts.ts (each method is atomic, as one script is). Presence
 * expiry is explicit: `expire(id)` stands for the heartbeat TTL running out.
 */
export class FakePresence implements AgentPresence {
  readonly agents = new Map<string, AgentState>();
  private readonly handled = new Map<string, number[]>();

  constructor(
    private readonly defaultSkill: string,
    private readonly pause: () => Promise<void>,
  ) {}

  /** FLUSHALL: Redis forgets every agent, its status, presence and claims. */
  forgetAll(): void {
    this.agents.clear();
    this.handled.clear();
  }

  expire(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (agent) agent.alive = false;
  }

  private live(agent: AgentState): boolean {
    return agent.status === 'online' && agent.alive;
  }

  private view(id: string, agent: AgentState): AgentAvailability {
    return {
      id,
      name: agent.name,
      status: agent.alive ? agent.status : 'offline',
      skills: [...agent.skills],
      load: agent.held.size,
      capacity: agent.capacity,
      idleSince: agent.idleSince,
      ...(agent.statusSince && (agent.alive || agent.status === 'offline') ? { statusSince: agent.statusSince } : {}),
    };
  }

  private outlookNow(skill: string): QueueOutlook {
    const samples = this.handled.get(skill) ?? [];
    const serving = [...this.agents.values()].filter((agent) => this.live(agent) && servesSkill(agent, skill, this.defaultSkill));
    return {
      agentsServing: serving.length,
      averageHandleSeconds: averageHandleSeconds(
        samples.reduce((sum, value) => sum + value, 0),
        samples.length,
      ),
    };
  }

  async setStatus(update: PresenceUpdate, now: string, options: { live?: boolean; onlyIfForgotten?: boolean } = {}): Promise<boolean> {
    await this.pause();
    const before = this.agents.get(update.id);
    if (options.onlyIfForgotten && before && before.known !== false && !before.lapsed) return false;
    const was = before?.alive ? before.status : 'offline';
    const statusSince = was !== update.status || !before?.statusSince ? now : before.statusSince;
    this.agents.set(update.id, {
      statusSince,
      name: update.name,
      status: update.status,
      skills: [...update.skills],
      capacity: update.capacity,
      idleSince: before?.idleSince ?? now,
      alive: options.live === false ? (before?.alive ?? false) : true,
      held: before?.held ?? new Map(),
    });
    return true;
  }

  async touch(agentId: string): Promise<PresenceSeen> {
    await this.pause();
    const agent = this.agents.get(agentId);
    // Presence without a hash (the alive key alone) is nothing routing can use.
    if (!agent || agent.known === false) {
      if (agent) agent.alive = true;
      return 'unknown';
    }
    agent.alive = true;
    return agent.lapsed ? 'lapsed' : 'known';
  }

  async get(agentId: string): Promise<AgentAvailability | undefined> {
    await this.pause();
    const agent = this.agents.get(agentId);
    return agent && agent.known !== false ? this.view(agentId, agent) : undefined;
  }

  async listOnline(): Promise<AgentAvailability[]> {
    await this.pause();
    return [...this.agents].filter(([, agent]) => this.live(agent)).map(([id, agent]) => this.view(id, agent));
  }

  async outlook(skill: string): Promise<QueueOutlook> {
    await this.pause();
    return this.outlookNow(skill);
  }

  async claimBest(
    skill: string,
    claim: string,
    now: string,
    _options?: { readonly readConnectionsOf?: readonly string[] },
  ): Promise<ClaimOutcome> {
    await this.pause();
    const outlook = this.outlookNow(skill);
    const serving = [...this.agents].filter(([, agent]) => this.live(agent) && servesSkill(agent, skill, this.defaultSkill));
    const holder = serving.find(([, agent]) => agent.held.has(claim));
    if (holder) {
      runContext.getStore()?.claimed.add(conversationOfClaim(claim));
      holder[1].held.set(claim, Date.parse(now));
      return { ...outlook, agent: { id: holder[0], name: holder[1].name }, reused: true };
    }
    const best = serving
      .filter(([, agent]) => agent.held.size < agent.capacity)
      .map(([id, agent]) => this.view(id, agent))
      .sort(compareCandidates)[0];
    if (!best) return { ...outlook, reused: false };
    runContext.getStore()?.claimed.add(conversationOfClaim(claim));
    const agent = this.agents.get(best.id)!;
    agent.held.set(claim, Date.parse(now));
    agent.idleSince = now;
    return { ...outlook, agent: { id: best.id, name: agent.name }, reused: false };
  }

  async claimAgent(agentId: string, claim: string, now: string): Promise<boolean> {
    await this.pause();
    const agent = this.agents.get(agentId);
    if (!agent || !this.live(agent)) return false;
    if (agent.held.has(claim)) return true;
    if (agent.held.size >= agent.capacity) return false;
    agent.held.set(claim, Date.parse(now));
    agent.idleSince = now;
    return true;
  }

  async release(agentId: string, claim: string, now: string, handled?: { skill: string; seconds: number }): Promise<boolean> {
    await this.pause();
    const agent = this.agents.get(agentId);
    if (!agent?.held.delete(claim)) return false;
    agent.idleSince = now;
    if (handled)
      this.handled.set(handled.skill, [handled.seconds, ...(this.handled.get(handled.skill) ?? [])].slice(0, RECENT_HANDLE_SAMPLES));
    return true;
  }

  async sweepExpired(now?: string): Promise<string[]> {
    await this.pause();
    const lost: string[] = [];
    for (const [id, agent] of this.agents) {
      if (agent.status === 'online' && !agent.alive) {
        agent.status = 'offline';
        agent.lapsed = true;
        if (now) agent.statusSince = now;
        lost.push(id);
      }
    }
    return lost;
  }

  async snapshot(): Promise<AgentClaims[]> {
    await this.pause();
    return [...this.agents].map(([id, agent]) => ({
      id,
      status: agent.alive ? agent.status : 'offline',
      known: agent.known !== false,
      capacity: agent.capacity,
      claims: new Map(agent.held),
    }));
  }

  async repairClaims(
    agentId: string,
    changes: { add: readonly string[]; remove: readonly string[]; removeBeforeMs: number },
    now: string,
  ): Promise<{ added: number; removed: number }> {
    await this.pause();
    let agent = this.agents.get(agentId);
    if (!agent) {
      agent = { name: agentId, status: 'offline', skills: [], capacity: 0, idleSince: now, alive: false, known: false, held: new Map() };
      this.agents.set(agentId, agent);
    }
    let added = 0;
    let removed = 0;
    for (const claim of changes.add) {
      if (!agent.held.has(claim)) {
        agent.held.set(claim, Date.parse(now));
        added++;
      }
    }
    for (const claim of changes.remove) {
      const at = agent.held.get(claim);
      if (at !== undefined && at < changes.removeBeforeMs) {
        agent.held.delete(claim);
        removed++;
      }
    }
    return { added, removed };
  }
}
