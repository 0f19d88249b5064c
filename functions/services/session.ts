import { RECHECK_SECONDS } from '../domain/send-window';
import type { Conversation } from '../domain/conversation';
import { canView, toSummary } from '../domain/conversation';
import type { User } from '../domain/identity';
import { displayName, isStaff } from '../domain/identity';
import { ForbiddenError, RateLimitedError } from '../domain/errors';
import { SESSION_CONVERSATION_LIMIT } from '../domain/limits';
import { heartbeatSecondsFor } from '../domain/heartbeat';
import type { ServerFrame } from '../protocol/server-frames';
import { messageFrame, messagesFrames } from '../protocol/server-frames';
import type { SyncFrame } from '../protocol/client-frames';
import type { Caller, Ports } from './context';
import { sendInOrder } from './broadcast';
import { noteConnectionEnded } from './agent-leave';
import { keepPresence } from './presence-recovery';
import { assertTokenCurrent } from './staff-sessions';
import { replayNotes } from './notes';
import type { VerifiedToken } from '../ports/tokens';

/** How many conversations a session lists, and how much backlog one sync replays. */
export { SESSION_CONVERSATION_LIMIT };
export const SYNC_PAGE_SIZE = 100;
export const SYNC_MESSAGE_BUDGET = 500;
/**
 * Wall time one sync spends replaying before it stops and answers `synced.more` (the client
 * pages on with the cursors reached): far under the function's 10 s timeout, however slow the
 * management API posts are, so a sync never dies half-way with nothing answered.
 */
export const SYNC_TIME_BUDGET_MS = 5_000;

/**
 * The connection record lives until the connection's cap or its token's expiry, whichever
 * comes first: past its token's expiry a connection gets no more pushes (pushes go to the
 * records listForUser returns), and its next action or heartbeat closes it.
 */
export async function registerConnection(
  ports: Ports,
  caller: Caller & {
    connectionId: string;
    sessionId?: string | undefined;
    expiresAt?: number | undefined;
    issuedAt?: number | undefined;
    source?: VerifiedToken['source'] | undefined;
  },
): Promise<void> {
  const now = ports.clock.now();
  const capped = Math.floor(now.getTime() / 1000) + ports.settings.connectionTtlSeconds;
  const tokenExpiresAt = caller.expiresAt && caller.expiresAt > 0 ? caller.expiresAt : undefined;
  await ports.connections.put({
    connectionId: caller.connectionId,
    userId: caller.user.id,
    role: caller.user.role,
    connectedAt: now.toISOString(),
    expiresAt: tokenExpiresAt ? Math.min(capped, tokenExpiresAt) : capped,
    ...(tokenExpiresAt ? { tokenExpiresAt } : {}),
    ...(caller.sessionId ? { sessionId: caller.sessionId } : {}),
  });
  await assertUnderConnectionCap(ports, caller, Math.floor(now.getTime() / 1000));
  if (caller.source === undefined || caller.issuedAt === undefined) return;
  // A revocation between the authorizer and this write listed the agent's connections before
  // this one existed: check again now that it does (either it saw this record, or this sees it).
  try {
    await assertTokenCurrent(ports, { user: caller.user, issuedAt: caller.issuedAt, source: caller.source, sessionId: caller.sessionId });
  } catch (error) {
    await ports.connections.remove(caller.user.id, caller.connectionId);
    throw error;
  }
}

/** What a client refused for holding too many connections is told to wait (one heartbeat period). */
export const CONNECTION_CAP_RETRY_MS = 30_000;

/**
 * Counted from the connection records (one consistent Query) after this connection's own is
 * written: the last of any set of admitted connections saw every one of them, so however many
 * connect at once, no more than the cap are admitted. One over the cap removes its record
 * again, so a refused connection never counts. A record whose $disconnect never ran counts
 * until a push to it answers 410 (which removes it) or it expires.
 */
async function assertUnderConnectionCap(ports: Ports, caller: Caller & { connectionId: string }, nowEpochSeconds: number): Promise<void> {
  const cap = isStaff(caller.user) ? ports.settings.maxConnections.staff : ports.settings.maxConnections.customer;
  const live = await ports.connections.listForUser(caller.user.id, nowEpochSeconds);
  if (live.length > cap) {
    await ports.connections.remove(caller.user.id, caller.connectionId);
    throw new RateLimitedError(
      `This identity already holds ${cap} open connections, the most allowed; close one first`,
      CONNECTION_CAP_RETRY_MS,
    );
  }
}

/** `$disconnect`: the record goes; an agent's last connection starts the leave grace (services/agent-leave.ts). */
export async function unregisterConnection(ports: Ports, caller: Caller & { connectionId: string }): Promise<void> {
  await ports.connections.remove(caller.user.id, caller.connectionId);
  await noteConnectionEnded(ports, caller.user);
}

export async function heartbeat(ports: Ports, caller: Caller, ts: number | string | undefined): Promise<ServerFrame> {
  const now = ports.clock.now().toISOString();
  if (caller.user.role !== 'customer') await keepPresence(ports, caller.user);
  return { type: 'pong', ...(ts === undefined ? {} : { ts }), serverTime: now };
}

async function visibleConversations(ports: Ports, user: User): Promise<Conversation[]> {
  if (user.role === 'customer') return ports.conversations.listForCustomer(user.id, SESSION_CONVERSATION_LIMIT);
  return ports.conversations.listForAgent(user.id, SESSION_CONVERSATION_LIMIT);
}

/**
 * Protocol section 5.4: `session`, then every message after the client's cursor (or, without
 * one, after the user's stored read cursor) per conversation in seq order, then `synced`.
 * Frames before `synced` are pushed through the management API; `synced` is the reply.
 */
export async function sync(ports: Ports, caller: Caller & { connectionId: string }, frame: SyncFrame): Promise<ServerFrame> {
  const { user } = caller;
  if (frame.noteCursors && user.role === 'customer') throw new ForbiddenError('Internal notes are for staff only');
  // Clients sync on every connect: count that as liveness, so an agent whose connection keeps
  // dropping (and whose heartbeat timer keeps restarting) does not lapse while reconnecting,
  // and rebuild what Redis lost as its heartbeat would: such an agent may never send one.
  if (user.role !== 'customer') {
    // Best effort: a Redis outage must not keep an agent from catching up on what is stored.
    await keepPresence(ports, user).catch((error: unknown) => {
      ports.log.warn('Presence not refreshed on sync', { userId: user.id, error });
    });
  }
  const listed = await visibleConversations(ports, user);
  const byId = new Map(listed.map((conversation) => [conversation.id, conversation]));
  // A cursor may name a conversation that fell off the session list: include it if visible.
  // The frame carries at most MAX_SYNC_CURSORS of them, read in one batched request.
  const extraIds = Object.keys(frame.cursors ?? {}).filter((id) => !byId.has(id));
  const extras = extraIds.length > 0 ? await ports.conversations.getMany(extraIds) : [];
  for (const conversation of extras) {
    if (canView(user, conversation)) byId.set(conversation.id, conversation);
  }
  const conversations = [...byId.values()];

  const session: ServerFrame = {
    type: 'session',
    user: { id: user.id, role: user.role, name: displayName(user) },
    // Per role (domain/heartbeat.ts): customers only beat API Gateway's idle limit, staff the presence grace.
    heartbeatSeconds: heartbeatSecondsFor(user.role, ports.settings),
    // A send that read its recipients before this connection opened may still be storing (domain/send-window.ts).
    recheckSeconds: RECHECK_SECONDS,
    conversations: conversations.map(toSummary),
  };
  if (!(await sendInOrder(ports, caller.connectionId, [session]))) return { type: 'synced', conversations: {} };

  const reached: Record<string, number> = {};
  const startedMs = ports.clock.now().getTime();
  const inTime = () => ports.clock.now().getTime() - startedMs < SYNC_TIME_BUDGET_MS;
  // The stored read cursors of conversations the client sent none for, in batched reads.
  const uncursored = conversations.filter((conversation) => frame.cursors?.[conversation.id] === undefined);
  const stored =
    uncursored.length > 0
      ? await ports.conversations.getReadCursors(
          uncursored.map((c) => c.id),
          user.id,
        )
      : new Map();
  let budget = SYNC_MESSAGE_BUDGET;
  let more = false;
  for (const conversation of conversations) {
    let cursor = frame.cursors?.[conversation.id] ?? stored.get(conversation.id) ?? 0;
    // The listing read each conversation consistently after this connection was recorded: a
    // message it does not count yet reaches this connection as a push, or at the recheck sync
    // (docs/delivery.md). So a conversation with nothing past the cursor costs no Query.
    let pageMore = conversation.lastSeq > cursor;
    while (pageMore && budget > 0 && inTime()) {
      const page = await ports.conversations.listMessages(conversation.id, cursor, Math.min(SYNC_PAGE_SIZE, budget));
      // Extension (issue 14): several messages a frame, far fewer posts.
      const frames = frame.batched ? messagesFrames(conversation.id, page.messages) : page.messages.map(messageFrame);
      if (!(await sendInOrder(ports, caller.connectionId, frames))) {
        return { type: 'synced', conversations: reached };
      }
      budget -= page.messages.length;
      cursor = page.messages.at(-1)?.seq ?? cursor;
      pageMore = page.more;
    }
    if (pageMore) more = true;
    reached[conversation.id] = cursor;
  }
  if (!frame.noteCursors) return { type: 'synced', conversations: reached, ...(more ? { more: true as const } : {}) };
  // Extension (issue 10): staff asked for the internal notes after their note cursors too.
  const notes = await replayNotes(ports, caller, conversations, frame.noteCursors);
  if (!notes.delivered) return { type: 'synced', conversations: reached };
  return {
    type: 'synced',
    conversations: reached,
    noteCursors: notes.reached,
    ...(more || notes.more ? { more: true as const } : {}),
  };
}
