import type { Role } from '../domain/identity';

export interface AgentProfile {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Extract<Role, 'agent' | 'supervisor' | 'admin'>;
  readonly skills: readonly string[];
  readonly capacity: number;
  /** A disabled account cannot sign in, and its tokens and sessions no longer count. */
  readonly disabled?: boolean | undefined;
  /** Epoch seconds: tokens and sessions issued before this are revoked (deletion, demotion, password change, disabling). */
  readonly tokensValidAfter?: number | undefined;
}

/** A profile as listed: everything but the revocation cutoff. (Password hashes are in CredentialStore.) */
export type AgentSummary = Omit<AgentProfile, 'tokensValidAfter'>;

export interface AgentDirectory {
  get(agentId: string): Promise<AgentProfile | undefined>;
  findByEmail(email: string): Promise<AgentProfile | undefined>;
  /**
   * Creates or replaces the profile and its email lookup (moving the lookup when the email
   * changed). Throws ConflictError when another agent has the email.
   */
  put(profile: AgentProfile): Promise<void>;
  /** Every agent, ordered by id. */
  list(): Promise<AgentSummary[]>;
  /** Removes the profile, its email lookup and its listing; nothing when it does not exist. */
  remove(agentId: string): Promise<void>;
}
