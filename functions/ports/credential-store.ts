/**
 * Staff password hashes, kept apart from the profiles so that IAM can let only the sign-in
 * path read them (docs/security.md, Infrastructure). Writers never read.
 */
export interface CredentialStore {
  /**
   * The agent's password hash, for sign-in only; undefined when it has none. A hash still
   * on the profile (written before credentials had their own items) is moved here on read.
   */
  passwordHash(agentId: string): Promise<string | undefined>;
  /** Sets (replaces) the hash without reading the old one; removes a hash left on the profile. */
  setPasswordHash(agentId: string, passwordHash: string): Promise<void>;
  /** Removes the hash; nothing when there is none. */
  remove(agentId: string): Promise<void>;
}
