import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ChatMessage, MemoryStore, ParleyClient, type WebSocketConstructor } from '../../clients/parley-client/src/index';
import { RECHECK_SECONDS } from '../../functions/domain/send-window';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { connectOnline } from '../support/agents';
import { NO_SCHEDULE_MS, routingQueueDrained, useLocalStack } from '../support/local-stack';
import { DynamoDbRequestHolds } from '../support/held-requests';
import { budget } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * A chat message reads its recipients' connections from the Redis directory before it is
 * stored (docs/connection-directory.md). A connection that opens after that read and syncs
 * before the message is stored is in neither: the push does not know it and its sync ran too
 * early. The client library syncs once more `session.recheckSeconds` after connecting, and that
 * sync fetches the message (docs/delivery.md "A connection that opens during a send").
 */
let stack: LocalStack;
/** Holds the message's own put, so a connection can open and sync meanwhile. */
let holds: DynamoDbRequestHolds;

useLocalStack({ scheduleIntervalMs: NO_SCHEDULE_MS }, (started) => {
  stack = started;
  holds = new DynamoDbRequestHolds(stack);
});

const HELD_TEXT = 'sent while a tab opens';
const messageText = (text: string) => (frame: Frame) => frame.type === 'message' && frame.text === text;

describe('a connection that opens while a message is being stored', () => {
  it(
    'gets the message from the recheck sync: the push did not know the connection and its first sync ran before the message was stored',
    async () => {
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const agentToken = login.body.token as string;
      const agent = await connectOnline(stack, agentToken);
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Late tab' });
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token as string);
      await customer.request({ action: 'sync' }, ['synced']);
      const started = await customer.request({ action: 'start', skill: 'tech', text: 'Hello?', clientMsgId: 'l-0' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await agent.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
      await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });
      // A warm directory: the conversation's participants and their connections are known, no Query reads them.
      for (const text of ['warm 1', 'warm 2']) {
        await customer.request({ action: 'message', conversationId, clientMsgId: text, text }, ['ack']);
        await agent.waitFor(messageText(text));
      }

      // The customer's message reads its recipients, then its put is held.
      const held = holds.hold(
        (commandName, input) => commandName === 'PutItemCommand' && input.includes('MSG#') && input.includes(HELD_TEXT),
      );
      customer.send({ action: 'message', conversationId, clientMsgId: 'held', text: HELD_TEXT });
      await held.reached;

      // Meanwhile the agent opens a second tab with the client library: connected and caught up, without the message.
      const received: ChatMessage[] = [];
      const lateTab = new ParleyClient({
        url: stack.wsUrl,
        token: async () => agentToken,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        storage: new MemoryStore(),
        // No gap sync: only the recheck may fetch what the push missed.
        gapSyncDelayMs: 600_000,
      });
      lateTab.on('message', (message) => received.push(message));
      const sessions: (number | undefined)[] = [];
      lateTab.on('session', (session) => sessions.push(session.recheckSeconds));
      await lateTab.connect();
      expect(sessions).toEqual([RECHECK_SECONDS]);
      expect(received.map((message) => message.text)).toEqual(['Hello?', 'warm 1', 'warm 2']);

      held.release();
      await customer.waitFor((frame) => frame.type === 'ack' && frame.clientMsgId === 'held');
      await agent.waitFor(messageText(HELD_TEXT));
      // The push went out before the ack: the late tab was not among its recipients.
      expect(received.map((message) => message.text)).not.toContain(HELD_TEXT);

      await waitFor(() => received.some((message) => message.text === HELD_TEXT), {
        timeoutMs: RECHECK_SECONDS * 1000 + budget(1),
        message: 'the late tab got the message',
      });
      expect(lateTab.stats().rechecks).toBe(1);
      expect(received.map((message) => message.seq)).toEqual([1, 2, 3, 4]);

      lateTab.close();
      await agent.close();
      await customer.close();
    },
    budget(6, RECHECK_SECONDS * 1000),
  );
});
