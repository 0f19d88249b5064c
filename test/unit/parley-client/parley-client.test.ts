import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore, ParleyClient, fullJitterDelay, type ChatMessage, type StateChange } from '../../../clients/parley-client/src/index';
import { FakeSocket, FakeWebSocket } from './fake-socket';

const USER = { id: 'u1', role: 'customer', name: 'Ann' };
const session = (conversations: unknown[] = []) => ({
  type: 'session',
  user: USER,
  heartbeatSeconds: 30,
  recheckSeconds: 12,
  conversations,
});
const summary = (id: string, lastSeq = 0) => ({
  id,
  status: 'assigned',
  customer: { id: 'u1', name: 'Ann' },
  lastSeq,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const message = (conversationId: string, seq: number): Record<string, unknown> => ({
  type: 'message',
  conversationId,
  seq,
  messageId: `m${seq}`,
  sender: { id: 'agent', role: 'agent' },
  text: `text ${seq}`,
  ts: '2026-01-01T00:00:00.000Z',
});

let ids = 0;
function makeClient(storage = new MemoryStore(), token = vi.fn(async () => 'jwt')) {
  const states: StateChange[] = [];
  const delivered: ChatMessage[] = [];
  const client = new ParleyClient({
    url: 'ws://parley.test/local',
    token,
    WebSocket: FakeWebSocket,
    storage,
    random: () => 0.5,
    platform: {},
    newClientMsgId: () => `c${++ids}`,
  });
  client.on('state', (change) => states.push(change));
  client.on('message', (m) => delivered.push(m));
  return { client, states, delivered, token, storage };
}

/** Opens the socket and answers the sync as a server would. */
async function bringUp(conversations: unknown[] = [], synced: Record<string, number> = {}) {
  await vi.advanceTimersByTimeAsync(0);
  const socket = FakeSocket.latest();
  socket.open();
  socket.receive(session(conversations));
  socket.receive({ type: 'synced', conversations: synced });
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('full-jitter backoff', () => {
  it('stays below min(cap, base * 2^attempt)', () => {
    const policy = { baseMs: 500, capMs: 20_000 };
    expect(fullJitterDelay(policy, 0, () => 0.999)).toBeLessThan(500);
    expect(fullJitterDelay(policy, 3, () => 0.999)).toBeLessThan(4_000);
    expect(fullJitterDelay(policy, 3, () => 0.999)).toBeGreaterThan(3_900);
    expect(fullJitterDelay(policy, 20, () => 0.999)).toBeLessThan(20_000);
    expect(fullJitterDelay(policy, 5, () => 0)).toBe(0);
  });
});

describe('ParleyClient', () => {
  it('connects with the token, syncs, and reports each transition with a code and reason', async () => {
    const { client, states, token } = makeClient();
    const ready = client.connect();
    const socket = await bringUp();
    await ready;
    expect(token).toHaveBeenCalledTimes(1);
    expect(socket.url).toBe('ws://parley.test/local?token=jwt');
    expect(socket.actions('sync')).toEqual([{ action: 'sync' }]);
    expect(states.map((s) => [s.from, s.to, s.code])).toEqual([
      ['idle', 'connecting', 'connect-requested'],
      ['connecting', 'syncing', 'socket-open'],
      ['syncing', 'ready', 'synced'],
    ]);
    expect(states.every((s) => s.reason.length > 0)).toBe(true);
  });

  it('beats at the interval the session announces (a customer every 5 minutes), on this socket and the next', async () => {
    const { client } = makeClient();
    const ready = client.connect();
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.latest();
    socket.open();
    socket.receive({ ...session(), heartbeatSeconds: 300 });
    socket.receive({ type: 'synced', conversations: {} });
    await ready;
    await vi.advanceTimersByTimeAsync(299_000);
    expect(socket.actions('heartbeat')).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.actions('heartbeat')).toHaveLength(1);
    socket.receive({ type: 'pong' });
    // Reconnected: the announced interval holds until the next session says otherwise.
    socket.drop(1006);
    await vi.advanceTimersByTimeAsync(60_000);
    const next = FakeSocket.latest();
    expect(next).not.toBe(socket);
    next.open();
    await vi.advanceTimersByTimeAsync(299_000);
    expect(next.actions('heartbeat')).toEqual([]);
    next.receive({ ...session(), heartbeatSeconds: 30 });
    next.receive({ type: 'synced', conversations: {} });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(next.actions('heartbeat')).toHaveLength(1);
  });

  it('keeps an unacked send and resends it with the same clientMsgId after reconnecting', async () => {
    const { client, states, token } = makeClient();
    void client.connect();
    const first = await bringUp([summary('conv')], { conv: 0 });
    const pending = client.send('conv', 'hello');
    // The cursor when the send was accepted goes with it (issue 14: the server keeps no clientMsgId record).
    expect(first.actions('message')).toEqual([
      { action: 'message', clientMsgId: pending.clientMsgId, text: 'hello', conversationId: 'conv', cursor: 0 },
    ]);

    first.drop(1006);
    expect(states.at(-1)).toMatchObject({ to: 'waiting', code: 'socket-closed', closeCode: 1006, retryInMs: 250 });
    await vi.advanceTimersByTimeAsync(250);
    expect(token).toHaveBeenCalledTimes(2); // a fresh token for every reconnect
    const second = FakeSocket.latest();
    second.open();
    expect(second.actions('sync')).toEqual([{ action: 'sync', cursors: { conv: 0 } }]);
    expect(second.actions('message')).toEqual([]); // not before the sync is done
    second.receive(session([summary('conv', 1)]));
    // Someone else's message arrived meanwhile: the cursor moved, the resend keeps the first send's.
    second.receive(message('conv', 1));
    second.receive({ type: 'synced', conversations: { conv: 1 } });
    expect(second.actions('message')).toEqual([expect.objectContaining({ clientMsgId: pending.clientMsgId, cursor: 0 })]);

    second.receive({ type: 'ack', clientMsgId: pending.clientMsgId, conversationId: 'conv', seq: 2, messageId: 'm2', ts: 't' });
    await expect(pending.promise).resolves.toMatchObject({ seq: 2 });
    expect(client.pending()).toEqual([]);
    expect(client.messages('conv')).toEqual([
      expect.objectContaining({ seq: 1 }),
      expect.objectContaining({ seq: 2, text: 'hello', sender: USER }),
    ]);
    // The next send starts from the cursor now held.
    client.send('conv', 'again');
    expect(second.actions('message').at(-1)).toMatchObject({ text: 'again', cursor: 2 });
    expect(client.stats().resends).toBe(1);
  });

  it('sends an attachment by id only, without empty text; the sender keeps the file details on its own copy', async () => {
    const { client } = makeClient();
    void client.connect();
    const socket = await bringUp([summary('conv')], { conv: 0 });
    const attachment = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'screen.png', contentType: 'image/png', size: 70, kind: 'image' } as const;
    const pending = client.send('conv', '', { attachment });
    const captioned = client.send('conv', 'see this', { attachment });
    expect(socket.actions('message')).toEqual([
      { action: 'message', clientMsgId: pending.clientMsgId, attachment: { id: attachment.id }, conversationId: 'conv', cursor: 0 },
      {
        action: 'message',
        clientMsgId: captioned.clientMsgId,
        text: 'see this',
        attachment: { id: attachment.id },
        conversationId: 'conv',
        cursor: 0,
      },
    ]);
    socket.receive({ type: 'ack', clientMsgId: pending.clientMsgId, conversationId: 'conv', seq: 1, messageId: 'm1', ts: 't' });
    await pending.promise;
    expect(client.messages('conv')).toEqual([expect.objectContaining({ seq: 1, text: '', attachment })]);
    // A file needs a conversation (its upload was granted under one).
    expect(() => client.send(undefined, '', { attachment })).toThrow(/conversation/);
  });

  it('reports a send failed only on a definitive error and retries an unavailable one', async () => {
    const { client } = makeClient();
    const failed: string[] = [];
    client.on('failed', (failure) => failed.push(failure.error.code));
    void client.connect();
    const socket = await bringUp([summary('conv')], { conv: 0 });
    const retried = client.send('conv', 'try again');
    socket.receive({ type: 'error', code: 'unavailable', message: 'x', action: 'message', clientMsgId: retried.clientMsgId });
    expect(client.pending()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(socket.actions('message').filter((f) => f.clientMsgId === retried.clientMsgId)).toHaveLength(2);

    const refused = client.send('conv', 'closed already');
    socket.receive({ type: 'error', code: 'conflict', message: 'closed', action: 'message', clientMsgId: refused.clientMsgId });
    await expect(refused.promise).rejects.toMatchObject({ code: 'conflict' });
    expect(failed).toEqual(['conflict']);
    expect(client.pending().map((entry) => entry.clientMsgId)).toEqual([retried.clientMsgId]);
    expect(() => client.send('conv', '   ')).toThrow(/empty/);
  });

  it('delivers in seq order once, holds messages beyond a gap and syncs to fill it', async () => {
    const { client, delivered } = makeClient();
    void client.connect();
    const socket = await bringUp([summary('conv')], { conv: 0 });
    socket.receive(message('conv', 1));
    socket.receive(message('conv', 3));
    socket.receive(message('conv', 1));
    expect(delivered.map((m) => m.seq)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(250);
    expect(socket.actions('sync').at(-1)).toEqual({ action: 'sync', cursors: { conv: 1 } });
    socket.receive(session([summary('conv', 3)]));
    socket.receive(message('conv', 2));
    socket.receive(message('conv', 3));
    socket.receive({ type: 'synced', conversations: { conv: 3 } });
    expect(delivered.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(client.messages('conv').map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(client.stats().duplicatesDropped).toBe(2);
  });

  it('syncs again at once when the server says more', async () => {
    const { client } = makeClient();
    void client.connect();
    const socket = await bringUp([summary('conv')], { conv: 0 });
    socket.receive(message('conv', 1));
    client.resync();
    socket.receive({ type: 'synced', conversations: { conv: 1 }, more: true });
    expect(socket.actions('sync').at(-1)).toEqual({ action: 'sync', cursors: { conv: 1 } });
  });

  it('declares the connection dead after three unanswered heartbeats and reconnects', async () => {
    const { client, states } = makeClient();
    void client.connect();
    const socket = await bringUp();
    await vi.advanceTimersByTimeAsync(30_000);
    socket.receive({ type: 'pong', serverTime: 't' }); // answered: the count starts over
    await vi.advanceTimersByTimeAsync(90_000);
    expect(socket.actions('heartbeat')).toHaveLength(4);
    expect(states.at(-1)?.to).toBe('ready');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(states.at(-1)).toMatchObject({ to: 'waiting', code: 'dead-connection' });
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'no pong' });
  });

  it('probes a slow connection instead of reconnecting, and resends on it once a pong proves it alive', async () => {
    const { client, states } = makeClient();
    void client.connect();
    const socket = await bringUp([summary('conv')], { conv: 0 });
    const earlier = { type: 'pong', ts: Date.now(), serverTime: 't' };
    const pending = client.send('conv', 'slow server');
    await vi.advanceTimersByTimeAsync(15_000);
    const probe = socket.actions('heartbeat');
    expect(probe).toEqual([{ action: 'heartbeat', ts: expect.any(Number) }]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.instances).toHaveLength(1); // no reconnect for a slow answer
    expect(states.at(-1)?.to).toBe('ready');
    socket.receive(earlier); // a pong to a heartbeat older than the send proves nothing about it
    expect(socket.actions('message')).toHaveLength(1);

    socket.receive({ type: 'pong', ts: probe[0]!.ts, serverTime: 't' });
    expect(socket.actions('message')).toEqual([
      expect.objectContaining({ clientMsgId: pending.clientMsgId }),
      expect.objectContaining({ clientMsgId: pending.clientMsgId }),
    ]);
    expect(client.stats()).toMatchObject({ resends: 1, probes: 1, deadConnections: 0 });
    socket.receive({ type: 'ack', clientMsgId: pending.clientMsgId, conversationId: 'conv', seq: 1, messageId: 'm1', ts: 't' });
    await expect(pending.promise).resolves.toMatchObject({ seq: 1 });
    expect(client.pending()).toEqual([]);
  });

  it('replaces a connection whose probes go unanswered, then resends with the same clientMsgId', async () => {
    const { client, states } = makeClient();
    void client.connect();
    const first = await bringUp([summary('conv')], { conv: 0 });
    const pending = client.send('conv', 'into the void');
    await vi.advanceTimersByTimeAsync(29_000);
    expect(states.some((change) => change.code === 'dead-connection')).toBe(false);
    await vi.advanceTimersByTimeAsync(16_000);
    expect(states.some((change) => change.code === 'dead-connection')).toBe(true);
    expect(first.closedWith).toEqual({ code: 4000, reason: 'no pong' });

    await vi.advanceTimersByTimeAsync(250);
    const second = FakeSocket.latest();
    expect(second).not.toBe(first);
    second.open();
    second.receive(session([summary('conv')]));
    second.receive({ type: 'synced', conversations: { conv: 0 } });
    expect(second.actions('message')).toEqual([expect.objectContaining({ clientMsgId: pending.clientMsgId, text: 'into the void' })]);
  });

  it('reconnects on purpose before the two-hour limit', async () => {
    const { client, states } = makeClient();
    void client.connect();
    const socket = await bringUp();
    for (let minute = 0; minute < 115; minute += 1) {
      await vi.advanceTimersByTimeAsync(60_000);
      socket.receive({ type: 'pong', serverTime: 't' });
    }
    expect(states.at(-1)).toMatchObject({ from: 'ready', to: 'connecting', code: 'planned-reconnect' });
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'planned reconnect' });
  });

  it('persists the outbox and cursors, so a reloaded client resends and resumes', async () => {
    const storage = new MemoryStore();
    const first = makeClient(storage);
    void first.client.connect();
    const socket = await bringUp([summary('conv')], { conv: 0 });
    socket.receive(message('conv', 1));
    const pending = first.client.send('conv', 'survive a reload');
    first.client.dispose();

    const second = makeClient(storage);
    const acks: string[] = [];
    second.client.on('ack', (ack) => acks.push(ack.clientMsgId));
    void second.client.connect();
    await vi.advanceTimersByTimeAsync(0);
    const next = FakeSocket.latest();
    next.open();
    expect(next.actions('sync')).toEqual([{ action: 'sync', cursors: { conv: 1 } }]);
    next.receive(session([summary('conv', 2)]));
    next.receive(message('conv', 2));
    next.receive({ type: 'synced', conversations: { conv: 2 } });
    // The persisted send keeps the cursor it was accepted with (1), not the one held now (2).
    expect(next.actions('message')).toEqual([
      expect.objectContaining({ clientMsgId: pending.clientMsgId, text: 'survive a reload', cursor: 1 }),
    ]);
    next.receive({ type: 'ack', clientMsgId: pending.clientMsgId, conversationId: 'conv', seq: 3, messageId: 'm3', ts: 't' });
    expect(acks).toEqual([pending.clientMsgId]);
  });

  it('sends a cursor with the first message after start: the seq the start reply reported stored (issue 14)', async () => {
    const { client } = makeClient();
    void client.connect();
    const socket = await bringUp();
    const started = client.start({ text: 'hello' });
    // The reply to start: the ack of the first message, then the conversation (lastSeq 1).
    socket.receive({ type: 'ack', clientMsgId: started.clientMsgId, conversationId: 'conv', seq: 1, messageId: 'm1', ts: 't' });
    socket.receive({ type: 'conversation', conversation: summary('conv', 1) });
    // No sync has said where this device starts, so it holds no message of the conversation yet.
    expect(client.cursor('conv')).toBeUndefined();
    client.send('conv', 'the next one');
    expect(socket.actions('message')).toEqual([expect.objectContaining({ text: 'the next one', cursor: 1 })]);
    // Only a send with nothing known of its conversation goes without (`start` is not counted).
    client.send(undefined, 'my open conversation');
    expect(client.stats()).toMatchObject({ sendsWithCursor: 1, sendsWithoutCursor: 1 });
  });

  it('sends the highest seq the server reported stored, never more; the cursor stays fixed across a reload', async () => {
    const storage = new MemoryStore();
    const first = makeClient(storage);
    // Closed before it is ready: the connect promise rejects.
    first.client.connect().catch(() => undefined);
    // Listed with 5 stored, but not yet synced: the session alone gives the cursor.
    await vi.advanceTimersByTimeAsync(0);
    const socket = FakeSocket.latest();
    socket.open();
    socket.receive(session([summary('conv', 5)]));
    const early = first.client.send('conv', 'before sync');
    // A live message above a gap: stored, so every seq up to it is.
    socket.receive(message('conv', 7));
    const later = first.client.send('conv', 'after a live message');
    expect(first.client.pending().map((entry) => entry.cursor)).toEqual([5, 7]);
    first.client.dispose();

    // Reloaded before any sync delivered anything: the sends keep their cursors, and a new
    // send starts from what the server reported before the reload.
    const second = makeClient(storage);
    void second.client.connect();
    const fresh = second.client.send('conv', 'after the reload');
    const next = await bringUp([summary('conv', 8)], { conv: 8 });
    // What the server reported is for sends only: the sync still asks from the read position.
    expect(next.actions('sync')).toEqual([{ action: 'sync' }]);
    expect(next.actions('message')).toEqual([
      expect.objectContaining({ clientMsgId: early.clientMsgId, cursor: 5 }),
      expect.objectContaining({ clientMsgId: later.clientMsgId, cursor: 7 }),
      expect.objectContaining({ clientMsgId: fresh.clientMsgId, cursor: 7 }),
    ]);
  });

  it('waits while offline and reconnects at once when the network returns', async () => {
    const listeners = new Map<string, () => void>();
    const platformWindow = {
      addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
      removeEventListener: (type: string) => listeners.delete(type),
    };
    const client = new ParleyClient({
      url: 'ws://x/local',
      token: () => 't',
      WebSocket: FakeWebSocket,
      storage: new MemoryStore(),
      platform: { window: platformWindow },
    });
    void client.connect();
    const socket = await bringUp();
    listeners.get('offline')?.();
    expect(client.state).toBe('offline');
    expect(socket.closedWith?.code).toBe(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    const opened = FakeSocket.instances.length;
    listeners.get('online')?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeSocket.instances.length).toBe(opened + 1);
    expect(client.state).toBe('connecting');
  });
});
