import { RateLimitedError, UnauthorizedError } from '../domain/errors';
import { GUEST_ID_PREFIX, type User } from '../domain/identity';
import type { Ports } from './context';
import { startStaffSession, type StaffTokens } from './staff-sessions';

export interface IssuedToken {
  token: string;
  expiresAt: string;
  user: { id: string; role: string; name: string };
}

function issued(user: User, token: string, expiresAtSeconds: number): IssuedToken {
  return {
    token,
    expiresAt: new Date(expiresAtSeconds * 1000).toISOString(),
    user: { id: user.id, role: user.role, name: user.name },
  };
}

/** An anonymous visitor: a fresh customer identity with a short-lived token. */
export async function issueGuestToken(ports: Ports, profile: { name?: string; email?: string }): Promise<IssuedToken> {
  const user: User = { id: `${GUEST_ID_PREFIX}${ports.ids.next()}`, role: 'customer', name: profile.name ?? 'Visitor', skills: [] };
  const { token, expiresAt } = await ports.tokens.issue(user, ports.settings.guestTokenSeconds);
  return issued(user, token, expiresAt);
}

const lockedOut = (ms: number) =>
  new RateLimitedError('Too many failed sign-ins for this email; wait before trying again', Math.max(1, ms));

/**
 * Agents sign in with email and password; a wrong email and a wrong password look the same
 * (same answer, same scrypt work). Failures per email and client IP lock the pair out for
 * exponentially longer periods, so guessing one account's password is impractical.
 * A sign-in starts a staff session: a short-lived access token and a rotating refresh token.
 */
export async function login(ports: Ports, credentials: { email: string; password: string; sourceIp: string }): Promise<StaffTokens> {
  const email = credentials.email.toLowerCase();
  const identity = `${email}|${credentials.sourceIp}`;
  const lockedForMs = await ports.loginBackoff.lockedForMs(identity);
  if (lockedForMs > 0) throw lockedOut(lockedForMs);
  const profile = await ports.agents.findByEmail(email);
  const passwordHash = profile ? await ports.credentials.passwordHash(profile.id) : undefined;
  const valid = await ports.passwords.verify(credentials.password, passwordHash ?? ports.passwords.decoyHash);
  if (!profile || !valid) {
    const lockMs = await ports.loginBackoff.recordFailure(identity);
    if (lockMs > 0) throw lockedOut(lockMs);
    throw new UnauthorizedError('Wrong email or password');
  }
  await ports.loginBackoff.reset(identity);
  // Said only to whoever knows the password.
  if (profile.disabled) throw new UnauthorizedError('This account is disabled');
  return startStaffSession(ports, profile);
}
