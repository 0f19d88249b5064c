import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function guestToken(name = 'Ann'): Promise<string> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  expect(response.status).toBe(201);
  return response.body.token as string;
}

async function agentToken(email: string): Promise<string> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' });
  expect(response.status).toBe(200);
  return response.body.token as string;
}

async function connectAndSync(
  token: string,
  cursors?: Record<string, number>,
): Promise<{ client: RawClient; session: Frame; synced: Frame }> {
  const client = await RawClient.connect(stack.wsUrl, token);
  client.send({ action: 'sync', ...(cursors ? { cursors } : {}) });
  const session = await client.nextOfType('session');
  const synced = await client.nextOfType('synced');
  return { client, session, synced };
}

async function history(conversationId: string, token: string): Promise<Frame[]> {
  const response = await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages?limit=200`, token);
  expect(response.status).toBe(200);
  return response.body.messages as Frame[];
}

describe('a customer and an agent chat over real WebSockets', () => {
  it(
    'routes, delivers both ways, deduplicates, survives a reconnect and refuses bad input',
    async () => {
      // The agent signs in, connects and goes online.
      const agentJwt = await agentToken('agent.tech@example.com');
      const agent = (await connectAndSync(agentJwt)).client;
      expect(agent.all('session')[0]).toMatchObject({ user: { id: 'agent-tech', role: 'agent' }, heartbeatSeconds: 30 });
      expect(await agent.request({ action: 'status', status: 'online' }, ['status'])).toEqual({ type: 'status', status: 'online' });

      // A guest starts a conversation with a first message.
      const customerJwt = await guestToken('Ann');
      const first = await connectAndSync(customerJwt);
      const customer = first.client;
      // Customers beat only API Gateway's 10-minute idle limit (every 5 minutes); staff the presence grace.
      expect(first.session).toMatchObject({
        type: 'session',
        user: { role: 'customer', name: 'Ann' },
        heartbeatSeconds: 300,
        recheckSeconds: 12,
        conversations: [],
      });
      customer.send({ action: 'start', skill: 'tech', text: 'My router is on fire', clientMsgId: 'c-1' });
      const startAck = await customer.nextOfType('ack');
      const conversationFrame = await customer.nextOfType('conversation');
      const conversationId = (conversationFrame.conversation as { id: string }).id;
      expect(startAck).toMatchObject({ clientMsgId: 'c-1', conversationId, seq: 1 });

      // The router assigns it to the only online agent with the skill; both sides hear it
      // (routing runs concurrently with the reply, so `assigned` may come before or after it).
      const assignedTo = (type: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
      expect(await customer.waitFor(assignedTo('assigned'))).toMatchObject({ agent: { id: 'agent-tech' } });
      // (The predicate already matched the conversation id: assert who it was assigned to.)
      expect(await agent.waitFor(assignedTo('assigned'))).toMatchObject({ agent: { id: 'agent-tech' } });
      expect(
        await agent.waitFor((frame) => frame.type === 'conversation' && (frame.conversation as { id: string }).id === conversationId),
      ).toMatchObject({ conversation: { status: 'assigned' } });

      // The agent catches up on the history through sync, then replies.
      agent.send({ action: 'sync', cursors: { [conversationId]: 0 } });
      expect(await agent.nextOfType('message')).toMatchObject({ conversationId, seq: 1, text: 'My router is on fire' });
      await agent.nextOfType('synced');
      const reply = await agent.request({ action: 'message', conversationId, clientMsgId: 'a-1', text: 'Unplug it, please.' }, ['ack']);
      expect(reply).toMatchObject({ seq: 2, clientMsgId: 'a-1' });
      expect(await customer.nextOfType('message')).toMatchObject({
        seq: 2,
        text: 'Unplug it, please.',
        sender: { id: 'agent-tech', role: 'agent' },
      });

      // The customer answers; a resend with the same clientMsgId stores nothing new.
      const ack = await customer.request({ action: 'message', conversationId, clientMsgId: 'c-2', text: 'Done.' }, ['ack']);
      expect(ack).toMatchObject({ seq: 3 });
      expect(await agent.nextOfType('message')).toMatchObject({ seq: 3, text: 'Done.' });
      const resent = await customer.request({ action: 'message', conversationId, clientMsgId: 'c-2', text: 'Done.' }, ['ack']);
      expect(resent).toEqual(ack);
      expect((await history(conversationId, agentJwt)).map((m) => m.seq)).toEqual([1, 2, 3]);

      // The customer drops; the agent writes twice; the customer reconnects and syncs from seq 3.
      await customer.close();
      await agent.request({ action: 'message', conversationId, clientMsgId: 'a-2', text: 'Now wait ten seconds.' }, ['ack']);
      await agent.request({ action: 'message', conversationId, clientMsgId: 'a-3', text: 'Then plug it back in.' }, ['ack']);
      const again = await connectAndSync(customerJwt, { [conversationId]: 3 });
      const missed = again.client.all('message');
      expect(missed.map((m) => [m.seq, m.text])).toEqual([
        [4, 'Now wait ten seconds.'],
        [5, 'Then plug it back in.'],
      ]);
      expect(again.synced).toEqual({ type: 'synced', conversations: { [conversationId]: 5 } });
      expect(again.session.conversations).toEqual([
        expect.objectContaining({ id: conversationId, status: 'assigned', agent: expect.objectContaining({ id: 'agent-tech' }) }),
      ]);

      // Read receipts reach the other side.
      again.client.send({ action: 'read', conversationId, seq: 5 });
      expect(await agent.nextOfType('read')).toMatchObject({ conversationId, seq: 5, reader: { role: 'customer' } });

      // Bad frames: each answered with its code, nothing stored.
      const c = again.client;
      const errorFor = async (frame: unknown) => {
        c.send(frame);
        return c.nextOfType('error');
      };
      expect(await errorFor('this is not json')).toMatchObject({ code: 'bad_request' });
      expect(await errorFor({ action: 'dance' })).toMatchObject({ code: 'unknown_action', action: 'dance' });
      expect(await errorFor({ nothing: true })).toMatchObject({ code: 'bad_request' });
      expect(await errorFor({ action: 'message', conversationId, clientMsgId: 'x', text: 'hi', extra: 1 })).toMatchObject({
        code: 'bad_request',
        clientMsgId: 'x',
      });
      expect(await errorFor({ action: 'message', conversationId, clientMsgId: 'x', text: '   ' })).toMatchObject({ code: 'bad_request' });
      expect(await errorFor({ action: 'message', conversationId, clientMsgId: 'x', text: 'y'.repeat(8001) })).toMatchObject({
        code: 'too_large',
      });
      expect(await errorFor({ action: 'message', conversationId: 'NOPE', clientMsgId: 'x', text: 'hi' })).toMatchObject({
        code: 'not_found',
      });
      expect(await errorFor({ action: 'status', status: 'online' })).toMatchObject({ code: 'forbidden' });
      expect(await errorFor({ action: 'read', conversationId, seq: 99 })).toMatchObject({ code: 'bad_request' });
      const stranger = (await connectAndSync(await guestToken('Eve'))).client;
      stranger.send({ action: 'message', conversationId, clientMsgId: 'e-1', text: 'let me in' });
      expect(await stranger.nextOfType('error')).toMatchObject({ code: 'forbidden', conversationId });
      expect(await errorFor({ action: 'message', clientMsgId: 'x', text: 'hi', cursor: 5 })).toMatchObject({ code: 'bad_request' });
      expect(await errorFor({ action: 'message', conversationId, clientMsgId: 'x', text: 'hi', cursor: -1 })).toMatchObject({
        code: 'bad_request',
      });
      expect((await history(conversationId, agentJwt)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);

      // Issue 14: a message carrying the sender's cursor from its first send (no clientMsgId record); its resend, the same ack.
      const cursorAck = await c.request({ action: 'message', conversationId, clientMsgId: 'c-3', text: 'Plugged in.', cursor: 5 }, ['ack']);
      expect(cursorAck).toMatchObject({ seq: 6 });
      expect(await c.request({ action: 'message', conversationId, clientMsgId: 'c-3', text: 'Plugged in.', cursor: 5 }, ['ack'])).toEqual(
        cursorAck,
      );

      // Close: both sides are told; later messages are refused with conflict, a resend still gets its ack.
      const closed = await agent.request({ action: 'close', conversationId }, ['closed']);
      expect(closed).toMatchObject({ conversationId, by: { id: 'agent-tech', role: 'agent' } });
      expect(await c.nextOfType('closed')).toMatchObject({ conversationId });
      expect(await errorFor({ action: 'message', conversationId, clientMsgId: 'c-9', text: 'hello?' })).toMatchObject({ code: 'conflict' });
      expect(await c.request({ action: 'message', conversationId, clientMsgId: 'c-2', text: 'Done.' }, ['ack'])).toEqual(ack);
      expect(await c.request({ action: 'message', conversationId, clientMsgId: 'c-3', text: 'Plugged in.', cursor: 5 }, ['ack'])).toEqual(
        cursorAck,
      );
      expect(await errorFor({ action: 'message', conversationId, clientMsgId: 'c-10', text: 'still there?', cursor: 6 })).toMatchObject({
        code: 'conflict',
      });
      expect(await c.request({ action: 'rate', conversationId, score: 5 }, ['rated'])).toEqual({ type: 'rated', conversationId, score: 5 });
      expect((await history(conversationId, agentJwt)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);

      await Promise.all([c.close(), agent.close(), stranger.close()]);
    },
    budget(50),
  ); // about 50 sequential requests and frames

  it('answers heartbeats and keeps one open conversation per customer', async () => {
    const token = await guestToken('Bo');
    const { client } = await connectAndSync(token);
    expect(await client.request({ action: 'heartbeat', ts: 42 }, ['pong'])).toMatchObject({ type: 'pong', ts: 42 });
    const one = await client.request({ action: 'start' }, ['conversation']);
    const two = await client.request({ action: 'start' }, ['conversation']);
    expect((two.conversation as { id: string }).id).toBe((one.conversation as { id: string }).id);
    // A customer message without conversationId goes to the open conversation.
    const ack = await client.request({ action: 'message', clientMsgId: 'm-1', text: 'hello' }, ['ack']);
    expect(ack).toMatchObject({ conversationId: (one.conversation as { id: string }).id, seq: expect.any(Number) });
    await client.close();
  });

  it('refuses a missing token with 401 and a bad or expired one with 403', async () => {
    expect(await RawClient.upgradeStatus(stack.wsUrl)).toBe(401);
    expect(await RawClient.upgradeStatus(`${stack.wsUrl}?token=not-a-jwt`)).toBe(403);
    const expired = await stack.wiring().ports.tokens.issue({ id: 'guest:old', role: 'customer', name: 'Old', skills: [] }, -120);
    expect(await RawClient.upgradeStatus(`${stack.wsUrl}?token=${expired.token}`)).toBe(403);
    const valid = await guestToken();
    const tampered = `${valid.slice(0, -4)}AAAA`;
    expect(await RawClient.upgradeStatus(`${stack.wsUrl}?token=${tampered}`)).toBe(403);
  });

  it('closes a connection that sends a frame over 32 KB with 1009', async () => {
    const client = await RawClient.connect(stack.wsUrl, await guestToken());
    client.send({ action: 'heartbeat', ts: 'x'.repeat(33 * 1024) });
    expect(await client.waitForClose()).toBe(1009);
  });

  it('answers HTTP errors with an error body', async () => {
    expect(await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'wrong' })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect(await postJson(`${stack.httpUrl}/v1/auth/guest`, '{not json')).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_request' } },
    });
    expect(await postJson(`${stack.httpUrl}/v1/auth/guest`, { nickname: 'x' })).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_request' } },
    });
    expect(await getJson(`${stack.httpUrl}/v1/conversations`)).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    const customer = await guestToken();
    expect(await getJson(`${stack.httpUrl}/v1/conversations`, customer)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
  });
});
