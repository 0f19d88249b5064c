import type { ConnectionRecord } from '../ports/connection-store';
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
}

/**
 * Sends a frame to every live connection of the given users. Live delivery is best effort
 * (protocol section 5: clients sync on gaps), so a failed post is logged, never thrown: the
 * caller's stored state is already durable. A connection the gateway reports gone is removed
 * (unless it may still be opening: forgetGoneConnection).
 */
export async function broadcast(
  ports: Pick<Ports, 'connections' | 'notifier' | 'clock' | 'log' | 'metrics'>,
  userIds: readonly string[],
  frame: ServerFrame,
  options: BroadcastOptions = {},
): Promise<number> {
  const nowSeconds = Math.floor(ports.clock.now().getTime() / 1000);
  const recipients = [...new Set(userIds)].filter((id) => id !== options.exceptUserId);
  const lists = await Promise.all(recipients.map((userId) => ports.connections.listForUser(userId, nowSeconds)));
  const targets = lists.flat().filter((connection) => connection.connectionId !== options.exceptConnectionId);
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
