import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newStats } from '../../../clients/parley-client/src/client-types';
import { ConversationSync, type SyncConfig } from '../../../clients/parley-client/src/conversation-sync';
import { CursorStore } from '../../../clients/parley-client/src/cursor-store';
import {
  MAX_SYNC_CURSORS,
  type ChatMessage,
  type ClientFrame,
  type ConversationSummary,
  type SyncedFrame,
} from '../../../clients/parley-client/src/protocol';
import { MemoryStore } from '../../../clients/parley-client/src/storage';

const summary = (id: string, lastSeq = 0): ConversationSummary => ({
  id,
  status: 'assigned',
  customer: { id: 'u1', name: 'Ann' },
  lastSeq,
  createdAt: 't',
  updatedAt: 't',
});
const message = (conversationId: string, seq: number): ChatMessage => ({
  conversationId,
  seq,
  messageId: `m${seq}`,
  sender: { id: 'agent', role: 'agent' },
  text: `text ${seq}`,
  ts: 't',
});
const session = (conversations: ConversationSummary[]) => ({
  type: 'session' as const,
  user: { id: 'u1', role: 'customer' as const },
  heartbeatSeconds: 30,
  recheckSeconds: 12,
  conversations,
});
const synced = (conversations: Record<string, number>, more?: true): SyncedFrame => ({
  type: 'synced',
  conversations,
  ...(more ? { more } : {}),
});

/** Sync against a hand-driven connection: frames written are collected, nothing is answered. */
function makeSync(store = new MemoryStore(), config: Partial<SyncConfig> = {}) {
  const written: ClientFrame[] = [];
  const delivered: ChatMessage[] = [];
  const connection = { open: true, isOpen: () => connection.open, write: (frame: ClientFrame) => written.push(frame) };
  let caughtUp = 0;
  const counters = newStats();
  const sync = new ConversationSync(
    new CursorStore(store, 'cursors'),
    { syncTimeoutMs: 15_000, gapSyncDelayMs: 250, backoff: { baseMs: 500, capMs: 20_000 }, random: () => 0.5, ...config },
    counters,
    connection,
    {
      caughtUp: () => {
        caughtUp += 1;
      },
      synced: () => undefined,
      delivered: (m) => delivered.push(m),
    },
  );
  const syncs = () => written.filter((frame) => frame.action === 'sync');
  return { sync, connection, syncs, delivered, counters, caughtUps: () => caughtUp };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConversationSync', () => {
  it('asks from every cursor, and from 0 for conversations met live that the session did not list', () => {
    const { sync, syncs } = makeSync();
    sync.request();
    sync.onSession(session([summary('listed')]));
    sync.onSynced(synced({ listed: 4 }));
    sync.remember(summary('assigned-live'));
    sync.request();
    expect(syncs()).toEqual([{ action: 'sync' }, { action: 'sync', cursors: { listed: 4, 'assigned-live': 0 } }]);
  });

  it('sends at most MAX_SYNC_CURSORS cursors: those met on this device first, then the newest', () => {
    const store = new MemoryStore();
    // 150 stored cursors from earlier runs, ids time-ordered like the server's ULIDs.
    const stored = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`C${String(i).padStart(3, '0')}`, i]));
    store.setItem('cursors', JSON.stringify(stored));
    const { sync, syncs } = makeSync(store);
    sync.remember(summary('C000'));
    sync.request();
    const cursors = (syncs()[0] as { cursors: Record<string, number> }).cursors;
    expect(Object.keys(cursors)).toHaveLength(MAX_SYNC_CURSORS);
    expect(cursors.C000).toBe(0); // met here, kept though it is the oldest
    expect(cursors.C149).toBe(149);
    expect(cursors.C051).toBe(51);
    expect(cursors.C050).toBeUndefined();
  });

  it('asks once at a time: a request during a sync goes out when it ends', () => {
    const { sync, syncs, caughtUps } = makeSync();
    sync.request();
    sync.request();
    expect(syncs()).toHaveLength(1);
    sync.onSynced(synced({}));
    expect(syncs()).toHaveLength(2);
    expect(caughtUps()).toBe(1);
  });

  it('asks again at once while the server says more, after syncTimeoutMs without an answer, and after a backoff on error', async () => {
    const { sync, syncs } = makeSync();
    sync.request();
    sync.onSynced(synced({}, true));
    expect(syncs()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(syncs()).toHaveLength(3);
    sync.onSyncError({ type: 'error', code: 'unavailable', message: 'x', action: 'sync' });
    await vi.advanceTimersByTimeAsync(499); // attempt 1: half of min(20 s, 0.5 s * 2)
    expect(syncs()).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs()).toHaveLength(4);
  });

  it('sends nothing on a closed socket and forgets the sync in flight on reset', () => {
    const { sync, connection, syncs } = makeSync();
    sync.request();
    sync.reset();
    sync.request(); // not held back by the sync the dropped socket never answered
    expect(syncs()).toHaveLength(2);
    connection.open = false;
    sync.reset();
    sync.request();
    expect(syncs()).toHaveLength(2);
  });

  it('delivers each message once, in seq order, and persists the cursor', () => {
    const store = new MemoryStore();
    const { sync, delivered, counters } = makeSync(store);
    sync.onSession(session([summary('conv')]));
    sync.onSynced(synced({ conv: 0 }));
    for (const seq of [2, 1, 1, 3, 2]) sync.receive(message('conv', seq));
    expect(delivered.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(counters.duplicatesDropped).toBe(2);
    expect(sync.cursor('conv')).toBe(3);
    expect(new CursorStore(store, 'cursors').get('conv')).toBe(3);
    expect(sync.conversations()).toEqual([expect.objectContaining({ id: 'conv', lastSeq: 3 })]);
  });

  it('syncs for a gap only if live frames have not filled it within gapSyncDelayMs', async () => {
    const { sync, syncs, counters } = makeSync();
    sync.request();
    sync.onSession(session([summary('conv')]));
    sync.onSynced(synced({ conv: 0 }));
    sync.receive(message('conv', 2));
    await vi.advanceTimersByTimeAsync(100);
    sync.receive(message('conv', 1)); // late, not lost
    await vi.advanceTimersByTimeAsync(250);
    expect(syncs()).toHaveLength(1);

    sync.receive(message('conv', 4));
    await vi.advanceTimersByTimeAsync(250);
    expect(syncs().at(-1)).toEqual({ action: 'sync', cursors: { conv: 2 } });
    expect(counters.gapSyncs).toBe(1);
  });

  it('starts a conversation new to this device where the server began, showing what it already holds', () => {
    const { sync, delivered } = makeSync();
    sync.request();
    sync.onSession(session([summary('conv', 10)]));
    sync.receive(message('conv', 9));
    sync.receive(message('conv', 10));
    expect(delivered).toEqual([]);
    sync.onSynced(synced({ conv: 10 }));
    expect(delivered.map((m) => m.seq)).toEqual([9, 10]);
    expect(sync.cursor('conv')).toBe(10);
  });

  it('forgets a conversation it asked about that the server no longer answers for', () => {
    const { sync, syncs } = makeSync();
    sync.remember(summary('gone'));
    sync.request();
    expect(syncs()).toEqual([{ action: 'sync', cursors: { gone: 0 } }]);
    sync.onSynced(synced({}));
    sync.request();
    expect(syncs().at(-1)).toEqual({ action: 'sync' }); // no longer asked about
    sync.patch('gone', { status: 'closed' });
    expect(sync.conversations()).toEqual([expect.objectContaining({ id: 'gone', status: 'closed' })]);
  });
  it('syncs once more recheckSeconds after a connection first hears its session, and not again on that connection', async () => {
    const { sync, syncs, counters } = makeSync();
    sync.request();
    sync.onSession(session([summary('conv')]));
    sync.onSynced(synced({ conv: 0 }));
    // A later session on the same connection (a gap sync's) does not schedule another.
    await vi.advanceTimersByTimeAsync(5_000);
    sync.request();
    sync.onSession(session([summary('conv')]));
    sync.onSynced(synced({ conv: 0 }));
    expect(syncs()).toHaveLength(2);

    await vi.advanceTimersByTimeAsync(6_999);
    expect(syncs()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(syncs()).toHaveLength(3);
    expect(syncs().at(-1)).toEqual({ action: 'sync', cursors: { conv: 0 } });
    expect(counters.rechecks).toBe(1);
    sync.onSynced(synced({ conv: 0 }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(syncs()).toHaveLength(3);
  });

  it('gives each new connection its own recheck, and drops the recheck of an abandoned one', async () => {
    const { sync, connection, syncs, counters } = makeSync();
    sync.request();
    sync.onSession(session([summary('conv')]));
    sync.onSynced(synced({ conv: 0 }));
    await vi.advanceTimersByTimeAsync(3_000);
    connection.open = false;
    sync.reset();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(counters.rechecks).toBe(0);

    connection.open = true;
    sync.request();
    sync.onSession(session([summary('conv')]));
    sync.onSynced(synced({ conv: 0 }));
    await vi.advanceTimersByTimeAsync(12_000);
    expect(counters.rechecks).toBe(1);
    expect(syncs()).toHaveLength(3);
  });

  it('does not recheck for a server that announces no recheck', async () => {
    const { sync, syncs, counters } = makeSync();
    sync.request();
    const { recheckSeconds: _none, ...older } = session([summary('conv')]);
    sync.onSession(older as ReturnType<typeof session>);
    sync.onSynced(synced({ conv: 0 }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(syncs()).toHaveLength(1);
    expect(counters.rechecks).toBe(0);
  });
});
