import { afterAll, describe, expect, it } from 'vitest';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import type { LocalStack } from '../../local/stack';
import { postJson, RawClient } from '../../local/tools/raw-client';
import { RequestCounter } from '../../scripts/bench/request-counter';
import { attachWriteCapacityMeter, consistentReader } from '../../scripts/bench/write-capacity-meter';
import { connectOnline } from '../support/agents';
import { NO_SCHEDULE_MS, routingQueueDrained, useLocalStack } from '../support/local-stack';
import { budget } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * The write meter `npm run bench` prices DynamoDB writes with (scripts/bench/write-capacity.ts),
 * on the local stack's own handlers: a chat message writes no index entry (docs/delivery.md
 * "No index writes"), an assignment moves the conversation between indexes.
 */
const counter = new RequestCounter();
let stack: LocalStack;
let detach: () => void;
const reads = { client: undefined as ReturnType<typeof localDynamoClient> | undefined };

useLocalStack({ scheduleIntervalMs: NO_SCHEDULE_MS, instrument: counter.instrument }, (started) => {
  stack = started;
  reads.client = localDynamoClient(stack.endpoints.dynamodb);
  detach = attachWriteCapacityMeter(stack.wiring().clients.dynamodb, {
    read: consistentReader(reads.client),
    record: counter.recordWriteUnits,
  });
});
afterAll(() => {
  detach?.();
  reads.client?.destroy();
});

/** What each function wrote since the last look, once every triggered function is done. */
async function capacityByFunction(): Promise<Map<string, Record<string, { writeUnits: number; indexWriteUnits: number }>>> {
  await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });
  await counter.idle();
  return new Map([...counter.takeDetailed()].map(([fn, detail]) => [fn, detail.capacity ?? {}]));
}

describe('write capacity, metered on the local stack', () => {
  it('a chat message writes no index entry; its assignment writes the index moves', async () => {
    const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
    const agent = await connectOnline(stack, login.body.token as string);
    const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Meter' });
    const customer = await RawClient.connect(stack.wsUrl, guest.body.token as string);
    await capacityByFunction();

    const started = await customer.request({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'w-1' }, ['conversation']);
    const conversationId = (started.conversation as { id: string }).id;
    await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
    const start = await capacityByFunction();
    // The assignment: the conversation leaves the queue index (1), enters the agent's (1) and
    // moves within byStatus from queued to assigned (a key change: 2).
    expect(start.get('router')?.UpdateItemCommand).toEqual({ writeUnits: 1, indexWriteUnits: 4 });
    // The new conversation enters byCustomer, queue and byStatus.
    expect(start.get('start')?.PutItemCommand?.indexWriteUnits).toBe(3);

    await customer.request({ action: 'message', conversationId, clientMsgId: 'w-2', text: 'Anyone?', cursor: 1 }, ['ack']);
    const message = await capacityByFunction();
    expect(message.get('message')).toEqual({
      PutItemCommand: { writeUnits: 1, indexWriteUnits: 0 },
      UpdateItemCommand: { writeUnits: 1, indexWriteUnits: 0 },
    });
    await customer.close();
    await agent.close();
  });
});
