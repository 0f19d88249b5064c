import { describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import { broadcast, CONNECTING_GRACE_SECONDS } from '../../../functions/services/broadcast';
import type { Ports } from '../../../functions/services/context';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');

/** One customer's connection records, every push answered `gone` (410), removals recorded. */
function world(records: ConnectionRecord[]) {
  const removed: string[] = [];
  const ports = {
    connections: {
      listForUser: async () => records,
      remove: async (_userId: string, connectionId: string) => {
        removed.push(connectionId);
      },
    },
    notifier: { send: async () => 'gone' as const },
    clock: { now: () => new Date(NOW) },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  } as unknown as Pick<Ports, 'connections' | 'notifier' | 'clock' | 'log'>;
  return { ports, removed };
}

const record = (connectionId: string, secondsAgo: number): ConnectionRecord => ({
  connectionId,
  userId: 'guest:ann',
  role: 'customer',
  connectedAt: new Date(NOW - secondsAgo * 1000).toISOString(),
  expiresAt: Math.floor(NOW / 1000) + 3600,
});

describe('broadcast', () => {
  it('removes the record of a connection the gateway says is gone', async () => {
    const { ports, removed } = world([record('old', 600)]);
    await broadcast(ports, ['guest:ann'], { type: 'pong', serverTime: 'x' });
    expect(removed).toEqual(['old']);
  });

  it('keeps the record of a connection still being set up: its $connect wrote it, the gateway opens it a moment later', async () => {
    // A reload right after a send: the message's broadcast reaches the new connection between its
    // $connect and the upgrade; the gateway answers 410 then. Removing the record would leave the
    // open connection without live frames until it reconnects.
    const { ports, removed } = world([record('new', 1), record('settling', CONNECTING_GRACE_SECONDS - 1)]);
    await broadcast(ports, ['guest:ann'], { type: 'pong', serverTime: 'x' });
    expect(removed).toEqual([]);
  });
});
