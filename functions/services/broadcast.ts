import type { ConnectionsLookup, DirectoryFill, DirectoryLookup } from '../ports/connection-directory';
import type { ConnectionRecord, ConnectionStore } from '../ports/connection-store';
import type { ServerFrame } from '../protocol/server-frames';
import type { Ports } from './context';

/**
 * A connection's record is written by its `$connect`, before the gateway has opened it: a post
 * in between is answered 410 although the connection opens a moment later (a reload right
 * after a send hits exactly this). Within this window a `gone` answer leaves the record; the
 * connection's own `sync` on open fetches what the post carried. API Gateway gives a `$connect`
 * integration at most 29 s.
 */
export const CONNECTING_GRACE_SECONDS = 30;

/** Removes the record of a connection the gateway reported gone, unless it may still be opening. */
export async function forgetGoneConnection(
  ports: Pick<Ports, 'connections' | 'clock'>,
  connection: Pick<ConnectionRecord, 'userId' | 'connectionId' | 'connectedAt'>,
): Promise<void> {
  const connectedAt = Date.parse(connection.connectedAt);
  const ageSeconds = (ports.clock.now().getTime() - connectedAt) / 1000;
  if (Number.isFinite(ageSeconds) && ageSeconds < CONNECTING_GRACE_SECONDS) return;
  await ports.connections.remove(connection.userId, connection.connectionId);
}

export interface BroadcastOptions {
  /** Skip this connection (the sender's: it gets its reply as the route response). */
  readonly exceptConnectionId?: string;
  /** Skip every connection of this user. */
  readonly exceptUserId?: string;
  /**
   * The recipients' connections as a command read them from the directory
   * (docs/connection-directory.md): the message path's admit (with the conversation's
   * participants hint) or the router's claim. A known user costs no Query; the others are
   * read from the record and filled back into the directory.
   */
  readonly recipients?: DirectoryLookup | ConnectionsLookup | undefined;
}

/**
 * Each user's live connections: from the directory's lookup where it knew the user, else one
 * consistent Query of the record. What the lookup did not know is filled back (best effort).
 */
async function connectionsOf(
  ports: Pick<Ports, 'connections' | 'connectionDirectory' | 'log'>,
  userIds: readonly string[],
  recipients: readonly string[],
  nowSeconds: number,
  lookup: DirectoryLookup | ConnectionsLookup | undefined,
): Promise<ConnectionRecord[]> {
  const fills: DirectoryFill[] = [];
  const lists = await Promise.all(
    recipients.map(async (userId) => {
      const known = lookup?.known.get(userId);
      if (known) return known.filter((connection) => connection.expiresAt > nowSeconds);
      const connections = await ports.connections.listForUser(userId, nowSeconds);
      fills.push({ userId, token: lookup?.fillTokens.get(userId), connections });
      return connections;
    }),
  );
  if (lookup && ports.connectionDirectory) {
    const filling =
      'conversationId' in lookup
        ? ports.connectionDirectory.fill(lookup, [...new Set(userIds)], fills)
        : ports.connectionDirectory.fillUsers(fills);
    await filling.catch((error: unknown) => {
      ports.log.warn('Connection directory not filled; the next message reads the record again', { error });
    });
  }
  return lists.flat();
}

/** One user's live connections, read as broadcast reads them: from the lookup where it knew the user, else the record. */
export function liveConnectionsOf(
  ports: Pick<Ports, 'connections' | 'connectionDirectory' | 'clock' | 'log'>,
  userId: string,
  lookup: DirectoryLookup | ConnectionsLookup | undefined,
): Promise<ConnectionRecord[]> {
  return connectionsOf(ports, [userId], [userId], Math.floor(ports.clock.now().getTime() / 1000), lookup);
}

/**
 * Sends a frame to every live connection of the given users. Live delivery is best effort
 * (protocol section 5: clients sync on gaps), so a failed post is logged, never thrown: the
 * caller's stored state is already durable. A connection the gateway reports gone is removed
 * (unless it may still be opening: forgetGoneConnection).
 */
export async function broadcast(
  ports: Pick<Ports, 'connections' | 'connectionDirectory' | 'notifier' | 'clock' | 'log' | 'metrics'>,
  userIds: readonly string[],
  frame: ServerFrame,
  options: BroadcastOptions = {},
): Promise<number> {
  const nowSeconds = Math.floor(ports.clock.now().getTime() / 1000);
  const recipients = [...new Set(userIds)].filter((id) => id !== options.exceptUserId);
  const connections = await connectionsOf(ports, userIds, recipients, nowSeconds, options.recipients);
  const targets = connections.filter((connection) => connection.connectionId !== options.exceptConnectionId);
  return deliver(ports, targets, frame);
}

/**
 * Posts a frame to each of these connections, best effort as broadcast (a failed post is
 * logged, a connection reported gone forgotten). Returns how many posts were sent.
 */
export async function deliver(
  ports: Pick<Ports, 'connections' | 'notifier' | 'clock' | 'log' | 'metrics'>,
  targets: readonly ConnectionRecord[],
  frame: ServerFrame,
): Promise<number> {
  const results = await Promise.all(
    targets.map(async (connection) => {
      try {
        const result = await ports.notifier.send(connection.connectionId, frame);
        ports.metrics.count(result === 'sent' ? 'DeliveriesSent' : 'DeliveriesGone');
        if (result === 'gone') await forgetGoneConnection(ports, connection);
        return result === 'sent' ? 1 : 0;
      } catch (error) {
        ports.metrics.count('DeliveriesFailed');
        ports.log.warn('Live delivery failed; the recipient will catch up on sync', {
          recipientConnectionId: connection.connectionId,
          frameType: frame.type,
          error,
        });
        return 0;
      }
    }),
  );
  return results.reduce<number>((sum, sent) => sum + sent, 0);
}

/** Sends frames to one connection in order (e.g. a sync's backlog). Returns false if it is gone. */
export async function sendInOrder(ports: Pick<Ports, 'notifier'>, connectionId: string, frames: readonly ServerFrame[]): Promise<boolean> {
  for (const frame of frames) {
    if ((await ports.notifier.send(connectionId, frame)) === 'gone') return false;
  }
  return true;
}

/**
 * The same ports, reading each user's live connections at most once: for one request that
 * pushes several frames to the same users (a start's conversation, message and answers). A
 * connection opened meanwhile misses only those pushes, and its own `sync` on open fetches
 * them (protocol section 5), as with the directory's lookups. The ports object is not copied
 * (its groups are built on first use): the result inherits everything but `connections`.
 */
export function readingConnectionsOnce<P extends Pick<Ports, 'connections'>>(ports: P): P {
  const inner = ports.connections;
  const read = new Map<string, Promise<ConnectionRecord[]>>();
  const connections: ConnectionStore = {
    put: (connection) => inner.put(connection),
    async remove(userId, connectionId) {
      const known = read.get(userId);
      if (known)
        read.set(
          userId,
          known.then((list) => list.filter((connection) => connection.connectionId !== connectionId)),
        );
      await inner.remove(userId, connectionId);
    },
    listForUser(userId, nowEpochSeconds) {
      let list = read.get(userId);
      if (!list) {
        list = inner.listForUser(userId, nowEpochSeconds);
        // A failed read is not kept: the next push asks again.
        list.catch(() => read.delete(userId));
        read.set(userId, list);
      }
      return list;
    },
  };
  return Object.create(ports, { connections: { value: connections, enumerable: true } }) as P;
}
