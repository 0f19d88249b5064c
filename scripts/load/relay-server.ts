import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The baseline for `npm run load -- --baseline relay`: the least a chat server can do. It
 * parses each frame, forwards a `message` to the other sockets that joined its conversation
 * and acks the sender, with the protocol's frame shapes and nothing else (no storage, no
 * auth, no routing). The same driver runs the same load against it, so the ratios show what
 * Parley's guarantees cost over a bare relay on the same machine.
 *
 * Frames: `{action: 'join', conversationId}` -> `joined`; `{action: 'message', conversationId,
 * clientMsgId, text}` -> `ack` to the sender and `message` to the peers; `{action: 'heartbeat'}`
 * -> `pong`.
 */
export interface Relay {
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startRelay(port = 0, host = '127.0.0.1'): Promise<Relay> {
  const server = new WebSocketServer({ port, host, maxPayload: 32 * 1024 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const rooms = new Map<string, { seq: number; members: Set<WebSocket> }>();
  server.on('connection', (socket, request) => {
    const user = new URL(request.url ?? '/', 'http://relay').searchParams.get('user') ?? randomUUID();
    const joined = new Set<string>();
    socket.on('message', (data) => {
      let frame: { action?: string; conversationId?: string; clientMsgId?: string; text?: string; ts?: number };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        socket.send(JSON.stringify({ type: 'error', code: 'bad_request', message: 'not JSON' }));
        return;
      }
      const conversationId = String(frame.conversationId ?? '');
      if (frame.action === 'join') {
        const room = rooms.get(conversationId) ?? { seq: 0, members: new Set() };
        rooms.set(conversationId, room);
        room.members.add(socket);
        joined.add(conversationId);
        socket.send(JSON.stringify({ type: 'joined', conversationId }));
      } else if (frame.action === 'message') {
        const room = rooms.get(conversationId);
        if (!room?.members.has(socket)) {
          socket.send(JSON.stringify({ type: 'error', code: 'forbidden', conversationId, clientMsgId: frame.clientMsgId }));
          return;
        }
        room.seq += 1;
        const ts = new Date().toISOString();
        const messageId = randomUUID();
        socket.send(JSON.stringify({ type: 'ack', clientMsgId: frame.clientMsgId, conversationId, seq: room.seq, messageId, ts }));
        const out = JSON.stringify({
          type: 'message',
          conversationId,
          seq: room.seq,
          messageId,
          clientMsgId: frame.clientMsgId,
          sender: { id: user, role: 'relay' },
          text: frame.text,
          ts,
        });
        for (const member of room.members) if (member !== socket) member.send(out);
      } else if (frame.action === 'heartbeat') {
        socket.send(JSON.stringify({ type: 'pong', ts: frame.ts, serverTime: new Date().toISOString() }));
      } else {
        socket.send(JSON.stringify({ type: 'error', code: 'unknown_action', action: frame.action }));
      }
    });
    socket.on('close', () => {
      for (const conversationId of joined) rooms.get(conversationId)?.members.delete(socket);
    });
  });
  const address = server.address() as AddressInfo;
  return {
    wsUrl: `ws://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
