import type { Role } from '../domain/identity';

export interface AgentProfile {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Extract<Role, 'agent' | 'supervisor' | 'admin'>;
  readonly skills: readonly string[];
  readonly capacity: number;
  readonly passwordHash: string;
}

export interface AgentDirectory {
  get(agentId: string): Promise<AgentProfile | undefined>;
  findByEmail(email: string): Promise<AgentProfile | undefined>;
  /** Creates or replaces the profile and its email lookup. */
  put(profile: AgentProfile): Promise<void>;
}
