import { afterEach, describe, expect, it } from 'vitest';
import type { DirectoryFill, DirectoryLookup } from '../../../functions/ports/connection-directory';
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

describe('broadcast with the directory lookup of the message path', () => {
  const lookup = (over: Partial<DirectoryLookup> = {}): DirectoryLookup => ({
    known: new Map(),
    fillTokens: new Map(),
    hinted: [],
    conversationId: 'conv-1',
    ...over,
  });

  function directoryWorld(records: Record<string, ConnectionRecord[]>, fillFails = false) {
    const queried: string[] = [];
    const sent: string[] = [];
    const fills: Array<{ participants: readonly string[]; fills: readonly DirectoryFill[] }> = [];
    const warned: string[] = [];
    const ports = {
      connections: {
        listForUser: async (userId: string) => {
          queried.push(userId);
          return records[userId] ?? [];
        },
        remove: async () => undefined,
      },
      connectionDirectory: {
        fill: async (_lookup: DirectoryLookup, participants: readonly string[], filled: readonly DirectoryFill[]) => {
          if (fillFails) throw new Error('Redis fill failed');
          fills.push({ participants, fills: filled });
        },
      },
      notifier: {
        send: async (connectionId: string) => {
          sent.push(connectionId);
          return 'sent';
        },
      },
      clock: { now: () => new Date(NOW) },
      log: { info: () => undefined, warn: (message: string) => warned.push(message), error: () => undefined },
      metrics: serviceMetrics,
    } as unknown as Pick<Ports, 'connections' | 'connectionDirectory' | 'notifier' | 'clock' | 'log' | 'metrics'>;
    return { ports, queried, sent, fills, warned };
  }
  const of = (userId: string, connectionId: string, expiresAt = Math.floor(NOW / 1000) + 3600): ConnectionRecord => ({
    connectionId,
    userId,
    role: 'customer',
    connectedAt: new Date(NOW - 600_000).toISOString(),
    expiresAt,
  });

  it('posts to the known users from the lookup without a Query, skipping expired entries and the sender', async () => {
    const { ports, queried, sent, fills } = directoryWorld({});
    const known = new Map([
      ['ann', [of('ann', 'ann-1'), of('ann', 'ann-old', Math.floor(NOW / 1000) - 1), of('ann', 'sender')]],
      ['bob', [of('bob', 'bob-1')]],
    ]);
    await broadcast(
      ports,
      ['ann', 'bob'],
      { type: 'pong', serverTime: 'x' },
      {
        exceptConnectionId: 'sender',
        recipients: lookup({ known, hinted: ['ann', 'bob'] }),
      },
    );
    expect(queried).toEqual([]);
    expect(sent.sort()).toEqual(['ann-1', 'bob-1']);
    // Nothing to fill, the participants unchanged: the directory is not written.
    expect(fills).toEqual([{ participants: ['ann', 'bob'], fills: [] }]);
  });

  it('reads a user the lookup did not know from the record (never "no connections") and fills it with its token', async () => {
    const { ports, queried, sent, fills } = directoryWorld({ bob: [of('bob', 'bob-1')] });
    await broadcast(
      ports,
      ['ann', 'bob'],
      { type: 'pong', serverTime: 'x' },
      {
        recipients: lookup({ known: new Map([['ann', []]]), fillTokens: new Map([['bob', 'token-b']]), hinted: ['ann', 'bob'] }),
      },
    );
    expect(queried).toEqual(['bob']);
    expect(sent).toEqual(['bob-1']);
    expect(fills).toEqual([
      { participants: ['ann', 'bob'], fills: [{ userId: 'bob', token: 'token-b', connections: [of('bob', 'bob-1')] }] },
    ]);
  });

  it('still delivers when the fill fails: it is logged, the next message reads the record again', async () => {
    const { ports, sent, warned } = directoryWorld({ ann: [of('ann', 'ann-1')] }, true);
    await broadcast(ports, ['ann'], { type: 'pong', serverTime: 'x' }, { recipients: lookup() });
    expect(sent).toEqual(['ann-1']);
    expect(warned).toEqual([expect.stringMatching(/not filled/)]);
  });

  it('without a lookup Queries every recipient and writes nothing to the directory', async () => {
    const { ports, queried, fills } = directoryWorld({ ann: [of('ann', 'ann-1')] });
    await broadcast(ports, ['ann', 'bob'], { type: 'pong', serverTime: 'x' });
    expect(queried.sort()).toEqual(['ann', 'bob']);
    expect(fills).toEqual([]);
  });
});
