import { describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { flushRedis } from '../support/redis-flush';
import { countConnectionQueries, NO_SCHEDULE_MS, type RequestCount, routingQueueDrained, useLocalStack } from '../support/local-stack';
import { budget } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * The message path reads its recipients' connections from the Redis directory in the same
 * command that counts its rate limits (docs/connection-directory.md): with the directory warm
 * a chat message costs no connection Query and one Redis command; after Redis loses its data
 * the push reads the record again (nobody is ever taken for "no connections") and the
 * directory warms up again.
 */
let stack: LocalStack;
let connectionQueries: RequestCount;

useLocalStack({ scheduleIntervalMs: NO_SCHEDULE_MS }, (started) => {
  stack = started;
  connectionQueries = countConnectionQueries(stack);
});

const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

describe('a chat message finds its recipients without Queries', () => {
  it(
    'costs 0 connection Queries and 1 Redis command with a warm directory, and falls back to the record after a flush',
    async () => {
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token as string);
      await agent.request({ action: 'sync' }, ['synced']);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Directory' });
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token as string);
      await customer.request({ action: 'sync' }, ['synced']);
      const started = await customer.request({ action: 'start', skill: 'tech', text: 'Hello?', clientMsgId: 'd-0' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;
      await agent.waitFor(about('assigned', conversationId));
      await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });

      let sent = 0;
      /** One customer message: delivered to the agent; what it cost. */
      async function message(): Promise<{ queries: number; redis: number }> {
        sent++;
        connectionQueries.reset();
        stack.resetRedisCommandCount();
        const text = `message ${sent}`;
        await customer.request({ action: 'message', conversationId, clientMsgId: `d-${sent}`, text }, ['ack']);
        const cost = { queries: connectionQueries.count, redis: stack.redisCommandCount() };
        await agent.waitFor((frame) => frame.type === 'message' && frame.text === text);
        return cost;
      }

      // Both users are known since their $connect; the first message learns the conversation's participants.
      expect(await message()).toEqual({ queries: 2, redis: 2 });
      expect(await message()).toEqual({ queries: 0, redis: 1 });
      expect(await message()).toEqual({ queries: 0, redis: 1 });

      // A second tab of the agent is added to the warm entry at its $connect: it hears the next message, still without a Query.
      const secondTab = await RawClient.connect(stack.wsUrl, login.body.token as string);
      await secondTab.request({ action: 'sync' }, ['synced']);
      expect(await message()).toEqual({ queries: 0, redis: 1 });
      await secondTab.waitFor((frame) => frame.type === 'message' && frame.text === `message ${sent}`);

      // Redis loses everything: the next messages still reach both tabs (read from the record) while it warms again:
      // the first learns the participants, the second their connections.
      await flushRedis(stack);
      expect(await message()).toEqual({ queries: 2, redis: 2 });
      await secondTab.waitFor((frame) => frame.type === 'message' && frame.text === `message ${sent}`);
      expect(await message()).toEqual({ queries: 2, redis: 2 });
      await secondTab.waitFor((frame) => frame.type === 'message' && frame.text === `message ${sent}`);
      expect(await message()).toEqual({ queries: 0, redis: 1 });
      await secondTab.waitFor((frame) => frame.type === 'message' && frame.text === `message ${sent}`);

      // A closed tab leaves the entry at its $disconnect: the next message is not posted to it.
      await secondTab.close();
      await waitFor(
        async () => {
          const entry = (await stack.wiring().ports.connectionDirectory?.admit([], conversationId))?.recipients?.known.get('agent-tech');
          return entry?.length === 1;
        },
        { timeoutMs: budget(1), message: 'the closed tab left the directory' },
      );
      expect(await message()).toEqual({ queries: 0, redis: 1 });

      await agent.close();
      await customer.close();
    },
    budget(6),
  );
});
