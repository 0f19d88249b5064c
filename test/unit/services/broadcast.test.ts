import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import { broadcast, CONNECTING_GRACE_SECONDS } from '../../../functions/services/broadcast';
import type { Ports } from '../../../functions/services/context';
import type { ConnectionNotifier } from '../../../functions/ports/connection-notifier';
import { serviceMetrics } from '../../../functions/shared/business-metrics';
import { captureEmf } from '../../support/emf';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');

/** One customer's connection records, every push answered `gone` (410) unless told otherwise, removals recorded. */
function world(records: ConnectionRecord[], send: ConnectionNotifier['send'] = async () => 'gone') {
  const removed: string[] = [];
  const ports = {
    connections: {
      listForUser: async () => records,
      remove: async (_userId: string, connectionId: string) => {
        removed.push(connectionId);
      },
    },
    notifier: { send },
    clock: { now: () => new Date(NOW) },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: serviceMetrics,
  } as unknown as Pick<Ports, 'connections' | 'notifier' | 'clock' | 'log' | 'metrics'>;
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

describe('broadcast metrics', () => {
  let emf: ReturnType<typeof captureEmf> | undefined;
  afterEach(() => emf?.stop());

  it('counts every post as DeliveriesSent, DeliveriesGone or DeliveriesFailed (Count, only the service dimension)', async () => {
    emf = captureEmf();
    const outcomes: Record<string, () => Promise<'sent' | 'gone'>> = {
      a: async () => 'sent',
      b: async () => 'sent',
      c: async () => 'gone',
      d: async () => Promise.reject(new Error('throttled')),
    };
    const { ports } = world([record('a', 600), record('b', 600), record('c', 600), record('d', 600)], (connectionId) =>
      outcomes[connectionId]!(),
    );
    await broadcast(ports, ['guest:ann'], { type: 'pong', serverTime: 'x' });
    const delivered = emf.metrics().filter((metric) => metric.name.startsWith('Deliveries'));
    expect(delivered.map(({ name, unit, dimensions, namespace }) => ({ name, unit, dimensions, namespace }))).toEqual(
      expect.arrayContaining([
        { name: 'DeliveriesSent', unit: 'Count', dimensions: { service: 'parley' }, namespace: 'Parley' },
        { name: 'DeliveriesGone', unit: 'Count', dimensions: { service: 'parley' }, namespace: 'Parley' },
        { name: 'DeliveriesFailed', unit: 'Count', dimensions: { service: 'parley' }, namespace: 'Parley' },
      ]),
    );
    const total = (name: string) =>
      delivered
        .filter((metric) => metric.name === name)
        .flatMap((metric) => metric.value)
        .reduce((sum, value) => sum + value, 0);
    expect([total('DeliveriesSent'), total('DeliveriesGone'), total('DeliveriesFailed')]).toEqual([2, 1, 1]);
  });
});
