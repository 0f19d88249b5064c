import type { AgentAvailability, AgentStatus } from '../domain/routing';

export interface PresenceUpdate {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus;
  readonly skills: readonly string[];
  readonly capacity: number;
}

/** Hot routing state (Upstash Redis): agents' status, skills, load and capacity. */
export interface AgentPresence {
  setStatus(update: PresenceUpdate, now: string): Promise<void>;
  /** Refreshes the agent's liveness (heartbeat). */
  touch(agentId: string, now: string): Promise<void>;
  /** Online agents who serve the skill (the default skill is served by everyone online). */
  onlineFor(skill: string): Promise<AgentAvailability[]>;
  get(agentId: string): Promise<AgentAvailability | undefined>;
  /** Atomically takes one unit of the agent's capacity if online and below capacity. */
  claim(agentId: string, now: string): Promise<boolean>;
  /** Gives one unit back (never below zero). */
  release(agentId: string, now: string): Promise<void>;
}
