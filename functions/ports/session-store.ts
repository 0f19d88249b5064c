import type { AgentProfile } from './agent-directory';
/** A staff session: one sign-in and its chain of rotated refresh tokens (a token family). */
export interface StaffSession {
  readonly sessionId: string;
  readonly agentId: string;
  /** SHA-256 of the current refresh token's secret; the token itself is never stored. */
  readonly tokenHash: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds: the session ends then (and DynamoDB's TTL removes it). */
  readonly expiresAt: number;
  /** How many times the refresh token was rotated. */
  readonly generation: number;
  /** Hashes of the refresh tokens rotated away: presenting one again is reuse. */
  readonly usedHashes?: readonly string[] | undefined;
  /** ISO time the session was ended (sign-out, reuse, revocation); absent while live. */
  readonly revokedAt?: string | undefined;
  readonly revokedReason?: string | undefined;
}

export interface SessionStore {
  /** Creates the session; a session id is never reused. */
  create(session: StaffSession): Promise<void>;
  get(sessionId: string): Promise<StaffSession | undefined>;
  /**
   * The session and its agent's profile in one request (every staff action checks both:
   * services/staff-sessions.ts). Optional: without it the two are read apart.
   */
  getWithProfile?(sessionId: string, agentId: string): Promise<{ session?: StaffSession; profile?: AgentProfile }>;
  /**
   * Replaces the refresh token hash `expectedHash` by `nextHash` (remembering the old one as
   * used) if the session is live, still holds `expectedHash` and was rotated fewer than
   * `maxGenerations` times; false when not (a concurrent refresh won, or the session ended).
   */
  rotate(sessionId: string, expectedHash: string, nextHash: string, maxGenerations: number): Promise<boolean>;
  /** Ends the session (idempotent; the first reason stays). */
  revoke(sessionId: string, revokedAt: string, reason: string): Promise<void>;
}

/** Random refresh-token secrets and their hashes. */
export interface OpaqueTokens {
  /** 256 random bits, base64url. */
  generate(): string;
  /** A stable hash of a secret (hex SHA-256). */
  hash(secret: string): string;
}
