import type { Role } from './identity';

/**
 * Staff sessions (agents, supervisors, admins signed in with a password): a short-lived
 * access token plus a rotating refresh token, both tied to a session id (`sid`). A token is
 * current only while the profile it names still grants it: these rules decide that, from
 * what was read, with no I/O.
 */

/** What a Parley-issued staff access token claims. */
export interface StaffTokenClaims {
  readonly userId: string;
  readonly role: Role;
  /** `iat`, epoch seconds. */
  readonly issuedAt: number;
  /** `sid`: the session the token was issued for (absent on tokens minted before sessions). */
  readonly sessionId?: string | undefined;
}

/** The parts of the profile that decide whether its tokens still count. */
export interface StaffStanding {
  readonly role: Role;
  readonly disabled?: boolean | undefined;
  /** Epoch seconds: tokens (and sessions) issued before this are revoked. */
  readonly tokensValidAfter?: number | undefined;
}

/** The parts of a session record the rules read. */
export interface SessionStanding {
  readonly agentId: string;
  /** Epoch seconds the session (its first sign-in) began. */
  readonly createdAt: number;
  /** Epoch seconds the session ends, refreshed or not. */
  readonly expiresAt: number;
  readonly revokedAt?: string | undefined;
}

/** Why a profile no longer backs tokens, or undefined while it does. */
export function standingRefusal(profile: StaffStanding | undefined, role: Role, issuedAt: number): string | undefined {
  if (!profile) return 'The account no longer exists';
  if (profile.disabled) return 'The account is disabled';
  if (profile.role !== role) return 'The account role has changed; sign in again';
  if (issuedAt < (profile.tokensValidAfter ?? 0)) return 'The token was revoked; sign in again';
  return undefined;
}

/** Why a session may not be used (refreshed, or back an access token), or undefined. */
export function sessionRefusal(session: SessionStanding | undefined, agentId: string, nowSeconds: number): string | undefined {
  if (!session || session.agentId !== agentId) return 'The session does not exist';
  if (session.revokedAt) return 'The session has ended';
  if (session.expiresAt <= nowSeconds) return 'The session has expired; sign in again';
  return undefined;
}

/**
 * Why a staff access token is no longer current: its account is gone, disabled, has another
 * role, revoked its tokens since it was issued, or its session ended. Undefined if current.
 */
export function staffTokenRefusal(
  claims: StaffTokenClaims,
  profile: StaffStanding | undefined,
  session: SessionStanding | undefined,
  nowSeconds: number,
): string | undefined {
  const standing = standingRefusal(profile, claims.role, claims.issuedAt);
  if (standing) return standing;
  if (!claims.sessionId) return 'The token belongs to no session; sign in again';
  return sessionRefusal(session, claims.userId, nowSeconds);
}

/**
 * The `tokensValidAfter` a revocation at `nowSeconds` sets: one second on, so every token
 * issued in this second (before the change) is refused, whatever the order within it.
 */
export function revocationCutoff(nowSeconds: number): number {
  return nowSeconds + 1;
}

/** A token issued now counts from the cutoff at the earliest (a sign-in right after a revocation). */
export function issuedAtFor(nowSeconds: number, profile: StaffStanding): number {
  return Math.max(nowSeconds, profile.tokensValidAfter ?? 0);
}

/** Whether an admin's change to a profile revokes its tokens (and ends its sessions and sockets). */
export function changeRevokesTokens(
  before: StaffStanding,
  changes: { readonly role?: Role | undefined; readonly disabled?: boolean | undefined; readonly password?: string | undefined },
): boolean {
  if (changes.password !== undefined) return true;
  if (changes.role !== undefined && changes.role !== before.role) return true;
  return changes.disabled === true && !before.disabled;
}

/** A refresh token is `<sessionId>.<secret>`; only a hash of the secret is stored. */
const REFRESH_TOKEN = /^([0-9A-Za-z]{10,40})\.([A-Za-z0-9_-]{32,128})$/;

export function parseRefreshToken(text: string): { sessionId: string; secret: string } | undefined {
  const match = REFRESH_TOKEN.exec(text);
  return match?.[1] && match[2] ? { sessionId: match[1], secret: match[2] } : undefined;
}
