import { describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { countConnectionQueries, NO_SCHEDULE_MS, type RequestCount, useLocalStack } from '../support/local-stack';
import { budget } from '../support/setup';

/**
 * Queue positions are told when they change (docs/routing.md#what-customers-see), not again
 * when the queue moves behind a customer, and the customers' connections come from the Redis
 * directory, not one Query each (services/queue-positions.ts).
 */
let stack: LocalStack;
let connectionQueries: RequestCount;

useLocalStack({ scheduleIntervalMs: NO_SCHEDULE_MS }, (started) => {
  stack = started;
  connectionQueries = countConnectionQueries(stack);
});

const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

interface Waiting {
  readonly client: RawClient;
  readonly conversationId: string;
}

/** A guest who starts a `tech` conversation (nobody serves it here) and is told its position. */
async function waits(name: string, position: number): Promise<Waiting> {
  const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  const client = await RawClient.connect(stack.wsUrl, guest.body.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  const started = await client.request({ action: 'start', skill: 'tech' }, ['conversation']);
  const conversationId = (started.conversation as { id: string }).id;
  expect(await client.waitFor(about('queued', conversationId))).toMatchObject({ position });
  return { client, conversationId };
}

const positionsOf = ({ client, conversationId }: Waiting): number[] =>
  client
    .all('queued')
    .filter((frame) => frame.conversationId === conversationId)
    .map((frame) => Number(frame.position));

describe('queue positions', () => {
  it(
    'a customer whose position did not change is not told it again; the ones behind are, without connection Queries',
    async () => {
      const ann = await waits('Ann', 1);
      const bob = await waits('Bob', 2);
      const cy = await waits('Cy', 3);
      connectionQueries.reset();

      // Bob gives up: Cy moves up, Ann (ahead of Bob) stays first.
      await bob.client.request({ action: 'close', conversationId: bob.conversationId }, ['closed']);
      await cy.client.waitFor((frame) => about('queued', cy.conversationId)(frame) && frame.position === 2);
      // A round trip on Ann's socket: a frame the same update sent her has arrived by now.
      await ann.client.request({ action: 'sync' }, ['synced']);

      expect(positionsOf(ann)).toEqual([1]);
      expect(positionsOf(cy)).toEqual([3, 2]);
      // Only the close's own push to Bob read the record: Ann and Cy are known to the directory since their $connect.
      expect(connectionQueries.count).toBe(1);

      // Someone joining at the back is told (and nobody ahead of them is told again).
      const dee = await waits('Dee', 3);
      await ann.client.request({ action: 'sync' }, ['synced']);
      expect(positionsOf(ann)).toEqual([1]);
      expect(positionsOf(cy)).toEqual([3, 2]);
      expect(positionsOf(dee)).toEqual([3]);

      await Promise.all([ann, bob, cy, dee].map(({ client }) => client.close()));
    },
    budget(20),
  ); // 4 customers (4 steps each), a close, a wait, 2 round trips
});
