import { describe, expect, it } from 'vitest';
import { RawClient, postJson } from '../../local/tools/raw-client';
import { connectOnline } from '../support/agents';
import { useCountedStack } from '../support/request-counting';
import { budget } from '../support/setup';

/**
 * The `start` action's DynamoDB requests (issue 14), counted as `npm run bench` counts them and
 * named by a second middleware, so a request added to the start fails here. docs/routing.md
 * "What a start costs" explains each. The container caches (skills, auto-replies, hours) are
 * kept for a minute here, so the measured start meets them warm however loaded the machine is.
 */
const counted = useCountedStack({ env: { SKILLS_CACHE_SECONDS: '60', HOURS_CACHE_SECONDS: '60' } });

async function startWithText(
  name: string,
  clientMsgId: string,
): Promise<{ customer: RawClient; conversationId: string; requests: string[]; counted: number }> {
  const { stack } = counted;
  const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
  let conversationId = '';
  const measured = await counted.measure('start', async () => {
    customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId });
    conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
  });
  return { customer, conversationId, requests: measured.requests.map((call) => call.request), counted: measured.counted };
}

describe('the start action', () => {
  it(
    'opens a conversation with its first message in 4 DynamoDB requests once the caches are warm, and a retry stores nothing twice',
    async () => {
      const { stack } = counted;
      // Someone serves tech, so no off-hours notice is stored (a notice costs its own writes).
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      // Warms the container's caches (the skill list, tech's auto-replies and hours).
      const first = await startWithText('Warm-up', 's-1');
      const measured = await startWithText('Counted', 's-1');
      expect(measured.requests).toEqual([
        // One open conversation per customer.
        'PutItem USER#/OPEN',
        // Message 1 and its clientMsgId claim.
        'BatchWriteItem CONV#/MSG#,CONV#/CMID#',
        // The conversation, at lastSeq 1.
        'PutItem CONV#/META',
        // The customer's connections, once for every push of the start.
        'Query USER#/CONN#',
      ]);
      expect(measured.counted).toBe(4);

      // The same start again (a retry after a lost reply): the open conversation, its message 1.
      const retry = await counted.measure('start', async () => {
        measured.customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 's-1' });
        const ack = await measured.customer.waitFor((frame) => frame.type === 'ack' && frame.clientMsgId === 's-1');
        expect(ack).toMatchObject({ seq: 1 });
        const again = await measured.customer.nextOfType('conversation');
        expect((again.conversation as { id: string }).id).toBe(measured.conversationId);
      });
      expect(retry.requests.map((call) => call.request).filter((request) => request.startsWith('PutItem CONV#/MSG#'))).toEqual([]);
      const stored = await stack.wiring().ports.conversations.listMessages(measured.conversationId, 0, 50);
      expect(stored.messages.filter((message) => message.sender.role === 'customer').map((message) => [message.seq, message.text])).toEqual(
        [[1, 'Hello']],
      );
      await Promise.all([first.customer.close(), measured.customer.close(), agent.close()]);
    },
    budget(12),
  );
});

describe('routing a started conversation', () => {
  it(
    "makes 2 DynamoDB requests: the queue's page and the assignment; the claim that picks the agent reads both sides' connections",
    async () => {
      const { stack } = counted;
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const agent = await connectOnline(stack, login.body.token);
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Routed' });
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
      let conversationId = '';
      const routed = await counted.measure('router', async () => {
        customer.send({ action: 'start', skill: 'tech', text: 'Route me', clientMsgId: 'r-1' });
        conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
        await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
        await agent.waitFor((frame) => frame.type === 'conversation' && (frame.conversation as { id: string }).id === conversationId);
      });
      expect(routed.requests.map((call) => call.request)).toEqual([
        // The skill's queue, oldest first.
        expect.stringMatching(/^Query /),
        // queued -> assigned, conditional on the epoch.
        'UpdateItem CONV#/META',
      ]);
      expect(routed.counted).toBe(2);
      // Both sides heard it: the agent's `assigned` and `conversation`, the customer's `assigned`.
      expect(agent.all('assigned').some((frame) => frame.conversationId === conversationId)).toBe(true);
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(8),
  );
});
