import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryStore, ParleyClient, type WebSocketConstructor } from '../../clients/parley-client/src/index';
import { RECHECK_SECONDS } from '../../functions/domain/send-window';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson } from '../../local/tools/raw-client';
import { connectOnline } from '../support/agents';
import { NO_SCHEDULE_MS, useLocalStack } from '../support/local-stack';
import { DynamoDbRequestHolds } from '../support/held-requests';
import { budget } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * The router's side of "a connection that opens during a send" (docs/delivery.md): its claim
 * reads the connections of the agent and the customer in the same Redis command, before the
 * assignment is stored (docs/routing.md "What a start costs"). A customer tab that
 * opens after that read and syncs before the write sees the conversation still queued and is
 * not among the `assigned` push's recipients. Its recheck sync, `session.recheckSeconds`
 * after it connected, tells it the conversation is assigned.
 */
let stack: LocalStack;
/** Holds the router's assignment write, so a tab can open and sync meanwhile. */
let holds: DynamoDbRequestHolds;

useLocalStack({ scheduleIntervalMs: NO_SCHEDULE_MS }, (started) => {
  stack = started;
  holds = new DynamoDbRequestHolds(stack);
});

describe('a customer tab that opens while the router assigns its conversation', () => {
  it(
    'learns of the assignment from its recheck sync: the push did not know the tab and its first sync saw the conversation queued',
    async () => {
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const agent = await connectOnline(stack, login.body.token as string);
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Late customer tab' });
      const customerToken = guest.body.token as string;
      const customer = await RawClient.connect(stack.wsUrl, customerToken);
      await customer.request({ action: 'sync' }, ['synced']);

      // The router claims the agent (reading both sides' connections), then its write is held: the only
      // conditional write that moves a queued conversation onto an agent's open list.
      const held = holds.hold(
        (commandName, input) => commandName === 'UpdateItemCommand' && input.includes('agentSort') && input.includes('"queued"'),
      );
      const started = await customer.request({ action: 'start', skill: 'tech', text: 'Anyone there?', clientMsgId: 'a-0' }, [
        'conversation',
      ]);
      const conversationId = (started.conversation as { id: string }).id;
      await held.reached;

      // Meanwhile the customer opens a second tab with the client library: caught up, the conversation still queued.
      const lateTab = new ParleyClient({
        url: stack.wsUrl,
        token: async () => customerToken,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        storage: new MemoryStore(),
        // No gap sync: only the recheck may fetch what the push missed.
        gapSyncDelayMs: 600_000,
      });
      const pushedToLateTab: string[] = [];
      lateTab.on('assigned', (frame) => pushedToLateTab.push(frame.conversationId));
      await lateTab.connect();
      const statusOnLateTab = () => lateTab.conversations().find((summary) => summary.id === conversationId)?.status;
      expect(statusOnLateTab()).toBe('queued');

      held.release();
      await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
      await agent.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
      // The pushes went out to the connections the claim read: the late tab was not among them.
      expect(pushedToLateTab).toEqual([]);
      expect(statusOnLateTab()).toBe('queued');

      await waitFor(() => statusOnLateTab() === 'assigned', {
        timeoutMs: RECHECK_SECONDS * 1000 + budget(1),
        message: 'the late tab learned of the assignment',
      });
      expect(lateTab.stats().rechecks).toBe(1);
      expect(lateTab.conversations().find((summary) => summary.id === conversationId)?.agent?.id).toBe('agent-tech');

      lateTab.close();
      await agent.close();
      await customer.close();
    },
    budget(6, RECHECK_SECONDS * 1000),
  );
});
