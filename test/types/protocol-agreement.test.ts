import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { MemoryStore, ParleyClient, type ClientFrame, type ServerFrame } from '../../clients/parley-client/src/index';
import { parseServerFrame } from '../../clients/parley-client/src/protocol';
import * as schemas from '../../functions/protocol/client-frames';
import {
  ackFrame,
  messageFrame,
  noteAckFrame,
  noteFrame,
  type ServerFrame as ServerServerFrame,
} from '../../functions/protocol/server-frames';
import { FakeSocket, FakeWebSocket } from '../unit/parley-client/fake-socket';

// The tsc check (protocol-agreement.ts) compares the types; this checks the values on the wire.
const SCHEMAS = {
  sync: schemas.syncFrame,
  heartbeat: schemas.heartbeatFrame,
  start: schemas.startFrame,
  message: schemas.messageFrame,
  typing: schemas.typingFrame,
  read: schemas.readFrame,
  close: schemas.closeFrame,
  transfer: schemas.transferFrame,
  status: schemas.statusFrame,
  rate: schemas.rateFrame,
  handoff: schemas.handoffFrame,
  ticket: schemas.ticketFrame,
  transcript: schemas.transcriptFrame,
  note: schemas.noteFrame,
} satisfies Record<ClientFrame['action'], unknown>;

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('client and server protocol', () => {
  it('name the same actions and frame types', () => {
    expectTypeOf<keyof typeof SCHEMAS>().toEqualTypeOf<ClientFrame['action']>();
    expectTypeOf<ServerFrame['type']>().toEqualTypeOf<ServerServerFrame['type']>();
  });

  it('every frame the client writes passes the server’s strict schema', async () => {
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
      user: { id: 'u1', role: 'customer', name: 'Ann' },
      heartbeatSeconds: 30,
      recheckSeconds: 12,
      conversations: [],
    });
    socket.receive({ type: 'synced', conversations: {} });
    client.send('conv-1', 'hello');
    client.send(undefined, 'hello again');
    client.start({
      text: 'hi',
      skill: 'billing',
      profile: { name: 'Ann', email: 'ann@example.com' },
      visitor: { locale: 'zh-CN', timeZone: 'Asia/Shanghai' },
    });
    client.typing('conv-1');
    client.markRead('conv-1', 3);
    client.closeConversation('conv-1', 'done');
    client.setStatus('away');
    client.transfer('conv-1', { toAgentId: 'agent-2' }, 'over to you');
    client.transfer('conv-1', { toSkill: 'billing' });
    client.rate('conv-1', 5, 'thanks');
    client.handoff('conv-1');
    client.convertToTicket('conv-1', 'ann@example.com', 'Ann');
    client.requestTranscript('conv-1');
    client.requestTranscript('conv-1', 'ann@example.com');
    client.writeNote('conv-1', 'internal: refund approved');
    client.resync();
    await vi.advanceTimersByTimeAsync(30_000); // a heartbeat
    expect(new Set(socket.sent.map((frame) => frame.action))).toEqual(new Set(Object.keys(SCHEMAS)));
    for (const frame of socket.sent) {
      const schema = SCHEMAS[frame.action as ClientFrame['action']];
      expect(schema.safeParse(frame).success, JSON.stringify(frame)).toBe(true);
    }
    client.dispose();
  });

  it('the client reads the frames the server builds', () => {
    const stored = {
      conversationId: 'conv-1',
      seq: 1,
      messageId: 'm1',
      clientMsgId: 'c1',
      sender: { id: 'u1', role: 'customer' as const, name: 'Ann' },
      text: 'hello',
      ts: '2026-01-01T00:00:00.000Z',
    };
    for (const frame of [messageFrame(stored), ackFrame(stored), noteFrame(stored), noteAckFrame(stored)]) {
      expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
    }
    expect(parseServerFrame('{"message": "Internal server error"}')).toBeUndefined();
  });
});
