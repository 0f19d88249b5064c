/**
 * Routing decisions, free of I/O: which online agent gets a waiting conversation.
 * The Upstash script CLAIM_BEST (adapters/upstash/scripts.ts) applies the same order inside
 * Redis; test/integration/adapters/upstash-presence.test.ts checks that the two agree.
 */
export type AgentStatus = 'online' | 'away' | 'offline';

export interface AgentAvailability {
  readonly id: string;
  readonly name: string;
  /** `offline` too when the agent's heartbeat presence has expired. */
  readonly status: AgentStatus;
  readonly skills: readonly string[];
  /** Capacity units held: one per conversation assigned (or being assigned) to the agent. */
  readonly load: number;
  readonly capacity: number;
  /** When the agent last got or finished a conversation (ISO); idle longest wins ties. */
  readonly idleSince: string;
  /** When the status last changed (ISO), for the roster; absent when unknown (presence lapsed, not yet swept). */
  readonly statusSince?: string | undefined;
}

/** Every agent serves the default skill; other skills must be listed on the agent. */
export function servesSkill(agent: Pick<AgentAvailability, 'skills'>, skill: string, defaultSkill: string): boolean {
  return skill === defaultSkill || agent.skills.includes(skill);
}

export function isEligible(agent: AgentAvailability, skill: string, defaultSkill: string): boolean {
  return agent.status === 'online' && agent.load < agent.capacity && servesSkill(agent, skill, defaultSkill);
}

/** Plain code-unit order, as Lua compares strings in Redis (localeCompare would not agree). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Candidate order: lowest load/capacity ratio (compared exactly, by cross-multiplying), then
 * the agent idle longest, then by id, so the order is total and every router agrees.
 */
export function compareCandidates(
  a: Pick<AgentAvailability, 'id' | 'load' | 'capacity' | 'idleSince'>,
  b: Pick<AgentAvailability, 'id' | 'load' | 'capacity' | 'idleSince'>,
): number {
  return a.load * b.capacity - b.load * a.capacity || byCodeUnits(a.idleSince, b.idleSince) || byCodeUnits(a.id, b.id);
}

/** Eligible agents, best first. */
export function rankCandidates(agents: readonly AgentAvailability[], skill: string, defaultSkill: string): AgentAvailability[] {
  return agents.filter((agent) => isEligible(agent, skill, defaultSkill)).sort(compareCandidates);
}
