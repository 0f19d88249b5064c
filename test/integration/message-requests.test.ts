import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryStore, ParleyClient, type WebSocketConstructor } from '../../clients/parley-client/src/index';
import { RawClient, postJson } from '../../local/tools/raw-client';
import { type CountedRequest, useCountedStack } from '../support/request-counting';
import { budget } from '../support/setup';

/**
 * The `message` action's DynamoDB requests (issue 14), counted as `npm run bench` counts them
 * (scripts/bench/request-counter.ts) and named by a second middleware, so a request added to
 * the message path fails here. docs/delivery.md "The message path's requests" explains each.
 */
const counted = useCountedStack();

/** The `message` function's DynamoDB requests while `send` runs: the counter's total and the requests by name. */
async function messageRequests(send: () => Promise<unknown>) {
  const { counted: total, requests } = await counted.measure('message', send);
  // A request on a conversation's partition (CONV#<id>) rather than a user's connections (USER#<id>).
  const onConversation = (call: CountedRequest) => call.json.includes('"CONV#');
  return {
    counted: total,
    conversation: requests.filter(onConversation).map((call) => call.command),
    // Anything else (the recipients' connections were USER#<id> Queries before the Redis directory).
    others: requests.filter((call) => !onConversation(call)).map((call) => call.command),
  };
}

describe('the message action', () => {
  it(
    'stores a chat message with 4 DynamoDB requests on the conversation and a resend with no write',
    async () => {
      const { stack } = counted;
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Counted' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
      customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'm-1' });
      const conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
      await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);

      const sent = await messageRequests(() =>
        customer.request({ action: 'message', conversationId, clientMsgId: 'm-2', text: 'Anyone?' }, ['ack']),
      );
      // The conversation (authorization, floor), the clientMsgId claim, the slot, lastSeq.
      expect(sent.conversation).toEqual(['GetItem', 'PutItem', 'PutItem', 'UpdateItem']);
      // The conversation's first `message` action learns its participants for the Redis
      // connection directory (docs/connection-directory.md): at most their connection Queries.
      expect(sent.others.every((command) => command === 'Query')).toBe(true);
      expect(sent.others.length).toBeLessThanOrEqual(2);
      expect(sent.counted).toBe(sent.conversation.length + sent.others.length);

      const resent = await messageRequests(() =>
        customer.request({ action: 'message', conversationId, clientMsgId: 'm-2', text: 'Anyone?' }, ['ack']),
      );
      // No write: the claim put fails and returns the claim (on AWS; dynalite needs the GetItem), one Query finds the message.
      // DynamoDB (and DynamoDB Local, the conformance run: docs/conformance.md) returns the claim
      // with the failed put; dynalite ignores ReturnValuesOnConditionCheckFailure and needs a GetItem.
      const onDynalite = !process.env.DYNAMODB_ENDPOINT;
      expect(resent.conversation).toEqual(onDynalite ? ['GetItem', 'PutItem', 'GetItem', 'Query'] : ['GetItem', 'PutItem', 'Query']);

      const reply = await messageRequests(() =>
        agent.request({ action: 'message', conversationId, clientMsgId: 'a-1', text: 'Yes!' }, ['ack']),
      );
      expect(reply.conversation).toEqual(['GetItem', 'PutItem', 'PutItem', 'UpdateItem']);
      // From then on the recipients' connections come from the directory: no Query. A staff
      // sender's action also reads its profile and session (deactivation and revocation checks),
      // both in one BatchGetItem.
      expect(reply.others).toEqual(['BatchGetItem']);
      await customer.waitFor((frame) => frame.type === 'message' && frame.text === 'Yes!');
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(12),
  );

  it(
    "stores a message that carries its sender's cursor with 3 requests, and its resend with 2 and no write",
    async () => {
      const { stack } = counted;
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Cursor' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
      customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'c-1' });
      const conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
      await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
      // Warm the directory (the conversation's first `message` learns its participants).
      await customer.request({ action: 'message', conversationId, clientMsgId: 'c-2', text: 'Warm', cursor: 1 }, ['ack']);

      // The customer holds 1 and 2 (its own, by their acks): its cursor is 2.
      const sent = await messageRequests(() =>
        customer.request({ action: 'message', conversationId, clientMsgId: 'c-3', text: 'Anyone?', cursor: 2 }, ['ack']),
      );
      // The conversation (authorization, floor), the slot, lastSeq: no clientMsgId claim.
      expect(sent.conversation).toEqual(['GetItem', 'PutItem', 'UpdateItem']);
      expect(sent.others).toEqual([]);
      expect(sent.counted).toBe(3);

      // A resend carries the cursor of the first send: one Query above it finds the original.
      const resent = await messageRequests(() =>
        customer.request({ action: 'message', conversationId, clientMsgId: 'c-3', text: 'Anyone?', cursor: 2 }, ['ack']),
      );
      expect(resent.conversation).toEqual(['GetItem', 'Query']);

      const reply = await messageRequests(() =>
        agent.request({ action: 'message', conversationId, clientMsgId: 'a-1', text: 'Yes!', cursor: 3 }, ['ack']),
      );
      expect(reply.conversation).toEqual(['GetItem', 'PutItem', 'UpdateItem']);
      expect(reply.others).toEqual(['BatchGetItem']);
      const got = await customer.waitFor((frame) => frame.type === 'message' && frame.text === 'Yes!');
      expect(got.seq).toBe(4);
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(12),
  );

  it(
    "the client library's first send after start carries a cursor: 3 requests on the conversation",
    async () => {
      const { stack } = counted;
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Library' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const client = new ParleyClient({
        url: stack.wsUrl,
        token: async () => guest.body.token as string,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        storage: new MemoryStore(),
        // No gap sync before the send: the start reply alone must give the cursor.
        gapSyncDelayMs: 600_000,
      });
      await client.connect();
      const started = await client.start({ skill: 'tech', text: 'Hello' }).promise;
      const { conversationId } = started;
      expect(client.cursor(conversationId)).toBeUndefined();

      const sent = await messageRequests(async () => {
        const pending = client.send(conversationId, 'Anyone?');
        expect(client.pending().find((entry) => entry.clientMsgId === pending.clientMsgId)?.cursor).toBe(started.seq);
        await pending.promise;
      });
      // The conversation (authorization, floor), the slot, lastSeq: no clientMsgId claim.
      expect(sent.conversation).toEqual(['GetItem', 'PutItem', 'UpdateItem']);
      expect(client.stats()).toMatchObject({ sendsWithCursor: 1, sendsWithoutCursor: 0 });
      client.dispose();
      await agent.close();
    },
    budget(12),
  );

  it(
    'a send whose cursor lies far below lastSeq reads one window of messages, not the run above it',
    async () => {
      const { stack } = counted;
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Far behind' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
      customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'f-1' });
      // Queued or assigned (earlier tests may hold the agent's capacity): the message path is the same.
      const conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
      await customer.request({ action: 'message', conversationId, clientMsgId: 'f-2', text: 'Warm', cursor: 1 }, ['ack']);
      // Many messages later (written straight to the store: this counts the send, not them).
      const { conversations } = stack.wiring().ports;
      const behind = 250;
      let conversation = (await conversations.get(conversationId))!;
      const sender = { id: guest.body.user.id as string, role: 'customer' as const, name: 'Far behind' };
      for (let i = 0; i < behind; i++) {
        const cursor = conversation.lastSeq;
        await conversations.appendMessage(
          conversation,
          { sender, text: `m${i}`, clientMsgId: `seed-${i}`, cursor },
          new Date().toISOString(),
        );
        conversation = { ...conversation, lastSeq: cursor + 1 };
      }

      // Cursor 0 (an old seq, or a lie): the window above it, then the clientMsgId claim path.
      const sent = await messageRequests(() =>
        customer.request({ action: 'message', conversationId, clientMsgId: 'f-3', text: 'Late', cursor: 0 }, ['ack']),
      );
      expect(sent.conversation).toEqual(['GetItem', 'Query', 'PutItem', 'PutItem', 'UpdateItem']);
      expect(sent.others).toEqual([]);
      const resent = await messageRequests(() =>
        customer.request({ action: 'message', conversationId, clientMsgId: 'f-3', text: 'Late', cursor: 0 }, ['ack']),
      );
      const onDynalite = !process.env.DYNAMODB_ENDPOINT;
      expect(resent.conversation).toEqual(
        onDynalite ? ['GetItem', 'Query', 'PutItem', 'GetItem', 'Query'] : ['GetItem', 'Query', 'PutItem', 'Query'],
      );
      const stored = await conversations.listMessages(conversationId, 0, 1000);
      expect(stored.messages.filter((message) => message.clientMsgId === 'f-3').map((message) => message.seq)).toEqual([behind + 3]);
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(20),
  );
});
