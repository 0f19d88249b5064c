import { UnauthorizedError } from '../domain/errors';
import type { User } from '../domain/identity';
import type { Ports } from './context';

export interface PasswordHasher {
  verify(password: string, encoded: string): Promise<boolean>;
}

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
  const user: User = { id: `guest:${ports.ids.next()}`, role: 'customer', name: profile.name ?? 'Visitor', skills: [] };
  const { token, expiresAt } = await ports.tokens.issue(user, ports.settings.guestTokenSeconds);
  return issued(user, token, expiresAt);
}

/** Agents sign in with email and password; a wrong email and a wrong password look the same. */
export async function login(
  ports: Ports,
  hasher: PasswordHasher,
  credentials: { email: string; password: string },
): Promise<IssuedToken> {
  const profile = await ports.agents.findByEmail(credentials.email.toLowerCase());
  const valid = profile ? await hasher.verify(credentials.password, profile.passwordHash) : false;
  if (!profile || !valid) throw new UnauthorizedError('Wrong email or password');
  const user: User = { id: profile.id, role: profile.role, name: profile.name, skills: profile.skills };
  const { token, expiresAt } = await ports.tokens.issue(user, ports.settings.agentTokenSeconds);
  return issued(user, token, expiresAt);
}
