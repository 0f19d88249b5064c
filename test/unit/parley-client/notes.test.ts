import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore, ParleyClient } from '../../../clients/parley-client/src/index';
import { FakeSocket, FakeWebSocket } from './fake-socket';

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

async function staffClient() {
  const client = new ParleyClient({
    url: 'ws://parley.test/local',
    token: () => 'jwt',
    WebSocket: FakeWebSocket,
    storage: new MemoryStore(),
    platform: {},
    notes: true,
  });
  void client.connect();
  await vi.advanceTimersByTimeAsync(0);
  const socket = FakeSocket.latest();
  socket.open();
  socket.receive({
    type: 'session',
    user: { id: 'agent-1', role: 'agent', name: 'Al' },
    heartbeatSeconds: 30,
    recheckSeconds: 12,
    conversations: [],
  });
  socket.receive({ type: 'synced', conversations: {} });
  return { client, socket };
}

const note = (seq: number, text: string): Record<string, unknown> => ({
  type: 'note',
  conversationId: 'c1',
  seq,
  messageId: `n${seq}`,
  sender: { id: 'sup-1', role: 'supervisor', name: 'Sue' },
  text,
  ts: '2026-01-01T00:00:00.000Z',
});

describe('internal notes in the client library', () => {
  it('keeps notes apart from messages: a note never moves the message cursor, and each is delivered once', async () => {
    const { client, socket } = await staffClient();
    const heard: string[] = [];
    client.on('note', (received) => heard.push(received.text));
    socket.receive(note(1, 'first'));
    socket.receive(note(1, 'first'));
    socket.receive(note(2, 'second'));
    expect(heard).toEqual(['first', 'second']);
    expect(client.messages('c1')).toEqual([]);
    expect(client.cursor('c1')).toBeUndefined();
    expect(client.notesOf('c1').map((held) => held.seq)).toEqual([1, 2]);
    client.dispose();
  });

  it('sync asks for notes after the contiguous note cursor; an own note is resent after a reconnect until its internal ack', async () => {
    const { client, socket } = await staffClient();
    socket.receive(note(1, 'first'));
    socket.receive(note(3, 'third')); // 2 missing: the cursor stays at 1
    const pending = client.writeNote('c1', 'my note');
    expect(socket.actions('note')).toEqual([{ action: 'note', conversationId: 'c1', clientMsgId: pending.clientMsgId, text: 'my note' }]);

    socket.drop(1006);
    await vi.advanceTimersByTimeAsync(30_000);
    const second = FakeSocket.latest();
    second.open();
    expect(second.actions('sync')).toEqual([{ action: 'sync', noteCursors: { c1: 1 } }]);
    expect(second.actions('note')).toEqual([]); // not before the sync is done
    second.receive({
      type: 'session',
      user: { id: 'agent-1', role: 'agent', name: 'Al' },
      heartbeatSeconds: 30,
      recheckSeconds: 12,
      conversations: [],
    });
    second.receive({ type: 'synced', conversations: {}, noteCursors: { c1: 3 } });
    expect(second.actions('note')).toEqual([expect.objectContaining({ clientMsgId: pending.clientMsgId })]);

    const ack = {
      type: 'ack',
      clientMsgId: pending.clientMsgId,
      conversationId: 'c1',
      seq: 2,
      messageId: 'n2',
      ts: '2026-01-01T00:00:01.000Z',
      internal: true,
    };
    second.receive(ack);
    await expect(pending.acknowledged).resolves.toEqual(ack);
    expect(client.notesOf('c1').map((held) => [held.seq, held.text])).toEqual([
      [1, 'first'],
      [2, 'my note'],
      [3, 'third'],
    ]);
    expect(client.messages('c1')).toEqual([]);
    client.dispose();
  });

  it('a definitive refusal rejects the note and is not resent', async () => {
    const { client, socket } = await staffClient();
    const pending = client.writeNote('c1', 'nope');
    socket.receive({
      type: 'error',
      code: 'forbidden',
      message: 'not yours',
      action: 'note',
      clientMsgId: pending.clientMsgId,
      conversationId: 'c1',
    });
    await expect(pending.acknowledged).rejects.toMatchObject({ code: 'forbidden' });
    expect(socket.actions('note')).toHaveLength(1);
    client.dispose();
  });
});
