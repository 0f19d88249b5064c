/**
 * Routing decisions, free of I/O: which online agent gets a waiting conversation.
 */
export type AgentStatus = 'online' | 'away' | 'offline';

export interface AgentAvailability {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus;
  readonly skills: readonly string[];
  readonly load: number;
  readonly capacity: number;
  /** When the agent last finished or got a conversation (ISO); idle longest wins ties. */
  readonly idleSince: string;
}

/** Every agent serves the default skill; other skills must be listed on the agent. */
export function servesSkill(agent: Pick<AgentAvailability, 'skills'>, skill: string, defaultSkill: string): boolean {
  return skill === defaultSkill || agent.skills.includes(skill);
}

export function isEligible(agent: AgentAvailability, skill: string, defaultSkill: string): boolean {
  return agent.status === 'online' && agent.load < agent.capacity && servesSkill(agent, skill, defaultSkill);
}

/**
 * Eligible agents, best first: lowest load/capacity ratio, then the one idle longest, then by
 * id so the order is total and every router instance agrees.
 */
export function rankCandidates(
  agents: readonly AgentAvailability[],
  skill: string,
  defaultSkill: string,
): AgentAvailability[] {
  return agents
    .filter((agent) => isEligible(agent, skill, defaultSkill))
    .sort(
      (a, b) =>
        a.load / a.capacity - b.load / b.capacity ||
        a.idleSince.localeCompare(b.idleSince) ||
        a.id.localeCompare(b.id),
    );
}
