import { UnauthorizedError } from '../domain/errors';
import type { User } from '../domain/identity';
import { issuedAtFor, parseRefreshToken, sessionRefusal, standingRefusal, staffTokenRefusal } from '../domain/staff-session';
import type { AgentProfile } from '../ports/agent-directory';
import type { VerifiedToken } from '../ports/tokens';
import type { Ports } from './context';

/**
 * Staff sessions: a sign-in starts one (an item holding the hash of the current refresh
 * token); each refresh rotates the refresh token; replaying a rotated one ends the session.
 * Revocations (deletion, disabling, demotion, a new password) bump the profile's
 * `tokensValidAfter` and close the agent's sockets; signing out ends one session.
 */

export interface StaffTokens {
  readonly token: string;
  readonly expiresAt: string;
  readonly refreshToken: string;
  /** When the session ends, refreshed or not. */
  readonly refreshExpiresAt: string;
  readonly user: { id: string; role: string; name: string };
}

const nowSeconds = (ports: Ports) => Math.floor(ports.clock.now().getTime() / 1000);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function userOf(profile: AgentProfile): User {
  return { id: profile.id, role: profile.role, name: profile.name, skills: profile.skills };
}

async function tokensFor(
  ports: Ports,
  profile: AgentProfile,
  sessionId: string,
  secret: string,
  sessionEnds: number,
): Promise<StaffTokens> {
  const user = userOf(profile);
  const issuedAt = issuedAtFor(nowSeconds(ports), profile);
  const lifetime = Math.min(ports.settings.staffAccessTokenSeconds, Math.max(1, sessionEnds - issuedAt));
  const { token, expiresAt } = await ports.tokens.issue(user, lifetime, { sessionId, issuedAt });
  return {
    token,
    expiresAt: iso(expiresAt),
    refreshToken: `${sessionId}.${secret}`,
    refreshExpiresAt: iso(sessionEnds),
    user: { id: user.id, role: user.role, name: user.name },
  };
}

/** A new session for a profile that just proved its password. */
export async function startStaffSession(ports: Ports, profile: AgentProfile): Promise<StaffTokens> {
  const sessionId = ports.ids.next();
  const secret = ports.opaqueTokens.generate();
  const createdAt = issuedAtFor(nowSeconds(ports), profile);
  const expiresAt = createdAt + ports.settings.agentTokenSeconds;
  await ports.sessions.create({
    sessionId,
    agentId: profile.id,
    tokenHash: ports.opaqueTokens.hash(secret),
    createdAt,
    expiresAt,
    generation: 0,
  });
  return tokensFor(ports, profile, sessionId, secret, expiresAt);
}

const refused = (reason: string) => new UnauthorizedError(reason);

/**
 * Renewals one session may have (the console renews every ~14 minutes, about 50 times in a
 * 12-hour session); the bound keeps the session item's set of used hashes small.
 */
export const MAX_ROTATIONS = 1000;

/**
 * Trades a refresh token for a new access token and a new refresh token. A token that was
 * already rotated away (a replay: stolen, or a client that kept an old copy) ends the whole
 * session, so whoever holds the newer one is signed out too.
 */
export async function refreshStaffSession(ports: Ports, refreshToken: string): Promise<StaffTokens> {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw refused('The refresh token is not valid');
  const session = await ports.sessions.get(parsed.sessionId);
  const now = nowSeconds(ports);
  const sessionProblem = sessionRefusal(session, session?.agentId ?? '', now);
  if (!session || sessionProblem) throw refused(sessionProblem ?? 'The session does not exist');
  const presented = ports.opaqueTokens.hash(parsed.secret);
  if (presented !== session.tokenHash) {
    // Only a token this session really issued counts as reuse: the session id alone (it is
    // in every access token's `sid`) must not let anyone end the session.
    if (!session.usedHashes?.includes(presented)) throw refused('The refresh token is not valid');
    await ports.sessions.revoke(session.sessionId, ports.clock.now().toISOString(), 'reuse');
    ports.log.warn('A rotated refresh token was reused; the session is revoked', {
      agentId: session.agentId,
      sessionId: session.sessionId,
    });
    throw refused('The refresh token was already used; the session has ended');
  }
  const profile = await ports.agents.get(session.agentId);
  const standing = standingRefusal(profile, profile?.role ?? 'agent', session.createdAt);
  if (!profile || standing) {
    await ports.sessions.revoke(session.sessionId, ports.clock.now().toISOString(), 'revoked');
    throw refused(standing ?? 'The account no longer exists');
  }
  const secret = ports.opaqueTokens.generate();
  if (session.generation >= MAX_ROTATIONS) throw refused('The session has been renewed too often; sign in again');
  if (!(await ports.sessions.rotate(session.sessionId, presented, ports.opaqueTokens.hash(secret), MAX_ROTATIONS))) {
    // Someone else rotated (or ended) it between the read and the write: the same token twice.
    await ports.sessions.revoke(session.sessionId, ports.clock.now().toISOString(), 'reuse');
    ports.log.warn('A refresh token was used twice at once; the session is revoked', {
      agentId: session.agentId,
      sessionId: session.sessionId,
    });
    throw refused('The refresh token was already used; the session has ended');
  }
  return tokensFor(ports, profile, session.sessionId, secret, session.expiresAt);
}

/**
 * Checks a verified token against what is stored now: a Parley-issued staff token is
 * current only while its profile exists, is enabled, has the same role, has not revoked
 * tokens since, and its session is live. Customers and OIDC staff have no profile here.
 */
export async function assertTokenCurrent(
  ports: Ports,
  token: Pick<VerifiedToken, 'user' | 'issuedAt' | 'source' | 'sessionId'>,
): Promise<void> {
  if (token.source !== 'parley' || token.user.role === 'customer') return;
  // Both in one request where the store can (a BatchGetItem, consistent like the two GetItems).
  const { profile, session } =
    token.sessionId && ports.sessions.getWithProfile
      ? await ports.sessions.getWithProfile(token.sessionId, token.user.id)
      : await Promise.all([
          ports.agents.get(token.user.id),
          token.sessionId ? ports.sessions.get(token.sessionId) : Promise.resolve(undefined),
        ]).then(([profile, session]) => ({ profile, session }));
  const refusal = staffTokenRefusal(
    { userId: token.user.id, role: token.user.role, issuedAt: token.issuedAt, sessionId: token.sessionId },
    profile,
    session,
    nowSeconds(ports),
  );
  if (refusal) throw refused(refusal);
}

/**
 * Closes connections at once: an `unauthorized` error frame, then DeleteConnection. Only the
 * connections of one session when `sessionId` is given. Returns how many stay open.
 */
export async function closeConnections(ports: Ports, userId: string, reason: string, sessionId?: string): Promise<number> {
  const live = await ports.connections.listForUser(userId, nowSeconds(ports));
  const closing = sessionId ? live.filter((connection) => connection.sessionId === sessionId) : live;
  await Promise.all(
    closing.map(async (connection) => {
      await ports.notifier.send(connection.connectionId, { type: 'error', code: 'unauthorized', message: reason });
      await ports.notifier.disconnect(connection.connectionId);
      await ports.connections.remove(userId, connection.connectionId);
    }),
  );
  return live.length - closing.length;
}

/**
 * The agent can no longer work: its sockets close, it goes offline and its open
 * conversations go back to their queues (the `agent.lost` path deletion always used).
 */
export async function takeAgentOffline(ports: Ports, profile: Pick<AgentProfile, 'id' | 'name' | 'skills' | 'capacity'>): Promise<void> {
  const presence = await ports.presence.get(profile.id);
  if (presence) {
    await ports.presence.setStatus(
      { id: profile.id, name: profile.name, status: 'offline', skills: profile.skills, capacity: profile.capacity },
      ports.clock.now().toISOString(),
      { live: false },
    );
  }
  await ports.routingQueue.publish({ type: 'agent.lost', agentId: profile.id });
}

/** Ends every way in for the agent: sockets, presence and capacity. (Tokens: the caller bumped tokensValidAfter or removed the profile.) */
export async function revokeAgentAccess(
  ports: Ports,
  profile: Pick<AgentProfile, 'id' | 'name' | 'skills' | 'capacity'>,
  reason: string,
): Promise<void> {
  await closeConnections(ports, profile.id, reason);
  await takeAgentOffline(ports, profile);
}

/**
 * Signing out: ends the session the refresh token names (whichever of its tokens it is)
 * and closes that session's sockets; an agent left with no socket goes offline.
 */
export async function endStaffSession(ports: Ports, refreshToken: string): Promise<{ signedOut: true }> {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw refused('The refresh token is not valid');
  const session = await ports.sessions.get(parsed.sessionId);
  const presented = ports.opaqueTokens.hash(parsed.secret);
  // Any token the session issued (current or rotated) ends it; its id alone does not.
  if (!session || (presented !== session.tokenHash && !session.usedHashes?.includes(presented))) {
    throw refused('The refresh token is not valid');
  }
  await ports.sessions.revoke(session.sessionId, ports.clock.now().toISOString(), 'sign-out');
  const remaining = await closeConnections(ports, session.agentId, 'Signed out', session.sessionId);
  if (remaining === 0) {
    const profile = await ports.agents.get(session.agentId);
    if (profile && profile.role !== 'admin') {
      // Signing out of the last session is choosing offline: Redis is never rebuilt from an older choice.
      const { name, skills, capacity } = profile;
      await ports.agentStatuses.put(profile.id, { status: 'offline', name, skills, capacity, at: ports.clock.now().toISOString() });
      await takeAgentOffline(ports, profile);
    }
  }
  ports.log.info('Signed out', { agentId: session.agentId });
  return { signedOut: true };
}
