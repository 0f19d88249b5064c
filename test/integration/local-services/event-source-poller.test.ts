import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { EventSourcePoller, EventSourcePollerOptions } from '../../../local/sqs/event-source-poller';
import { startEventSourcePoller } from '../../../local/sqs/event-source-poller';
import type { SqsServer } from '../../../local/sqs/sqs-server';
import { startSqsServer } from '../../../local/sqs/sqs-server';
import { StoreClient } from '../../../local/sqs/store-client';
import { STEP_MS } from '../../support/budget';
import { eventually, localSqsClient } from './sqs-test-client';

/**
 * Visibility timeout for the redelivery tests: a message handled successfully must be deleted
 * within it or it comes back, so it is several times what a delete takes on a loaded machine;
 * redeliveries wait that long, and the tests run concurrently.
 */
const VISIBILITY_MS = 3_000;
const VISIBILITY = String(VISIBILITY_MS / 1000);

let server: SqsServer;
let sqs: SQSClient;
let counter = 0;

beforeAll(async () => {
  server = await startSqsServer({ port: 0 });
  sqs = localSqsClient(server.endpoint);
});

afterAll(async () => {
  sqs.destroy();
  await server.close();
});

interface TestQueue {
  url: string;
  arn: string;
  name: string;
}

async function createQueue(attributes: Record<string, string> = {}): Promise<TestQueue> {
  counter += 1;
  const name = `poll-${counter}`;
  const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl, arn: Attributes.QueueArn ?? '', name };
}

function counts(queue: TestQueue): Record<string, string> {
  return server.store.getQueueAttributes(queue.name, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
}

function isEmpty(queue: TestQueue): boolean {
  const c = counts(queue);
  return c.ApproximateNumberOfMessages === '0' && c.ApproximateNumberOfMessagesNotVisible === '0';
}

/** Starts a poller that is stopped when the current test ends; returns the errors it reports. */
function pollWith(
  queue: TestQueue,
  handler: EventSourcePollerOptions['handler'],
  extra: Partial<EventSourcePollerOptions> = {},
): unknown[] {
  const errors: unknown[] = [];
  const poller: EventSourcePoller = startEventSourcePoller({
    client: sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    handler,
    onError: (error) => errors.push(error),
    ...extra,
  });
  onTestFinished(() => poller.stop());
  return errors;
}

async function send(queue: TestQueue, body: string): Promise<string> {
  const { MessageId = '' } = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queue.url,
      MessageBody: body,
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
    }),
  );
  return MessageId;
}

/** Every case through the SDK (any endpoint) and through a StoreClient (the local stack's pollers on its own endpoint). */
describe.each(['SQS client', 'store client'] as const)('event source poller against the local SQS server (%s)', (via) => {
  const poll = (queue: TestQueue, handler: EventSourcePollerOptions['handler'], extra: Partial<EventSourcePollerOptions> = {}) =>
    pollWith(queue, handler, { client: via === 'store client' ? new StoreClient(server.store) : sqs, ...extra });

  it('builds Lambda-shaped records and deletes the batch on success', async () => {
    const queue = await createQueue();
    const seen: SQSRecord[] = [];
    let contextName = '';
    const errors = poll(
      queue,
      async (event, context) => {
        seen.push(...event.Records);
        contextName = context.functionName;
        expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
      },
      { functionName: 'my-consumer' },
    );
    const ids = [await send(queue, 'a'), await send(queue, 'b'), await send(queue, 'c')];
    await eventually(() => seen.length === 3 && isEmpty(queue));

    expect(seen.map((record) => record.messageId).sort()).toEqual([...ids].sort());
    expect(contextName).toBe('my-consumer');
    expect(errors).toEqual([]);
    const record = seen.find((r) => r.body === 'a');
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
      md5OfBody: '0cc175b9c0f1b6a831c399e269772661',
      attributes: { ApproximateReceiveCount: '1', SenderId: '000000000000' },
      messageAttributes: { kind: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' } },
    });
    expect(record?.receiptHandle).toBeTruthy();
    expect(record?.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record?.attributes.SentTimestamp));
  });

  it.concurrent('redelivers only the records reported in batchItemFailures', async () => {
    const queue = await createQueue({ VisibilityTimeout: VISIBILITY });
    const deliveries: Array<{ body: string; receiveCount: string }> = [];
    poll(
      queue,
      async (event): Promise<SQSBatchResponse> => {
        deliveries.push(...event.Records.map((r) => ({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount })));
        const failures = event.Records.filter((r) => r.body === 'flaky' && r.attributes.ApproximateReceiveCount === '1');
        return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { concurrency: 1, maxBatchingWindowMs: 300 },
    );
    await send(queue, 'ok-1');
    await send(queue, 'flaky');
    await send(queue, 'ok-2');
    await eventually(() => deliveries.length === 4 && isEmpty(queue), STEP_MS + VISIBILITY_MS);
    expect(deliveries.filter((d) => d.body === 'flaky')).toEqual([
      { body: 'flaky', receiveCount: '1' },
      { body: 'flaky', receiveCount: '2' },
    ]);
    expect(deliveries.filter((d) => d.body.startsWith('ok')).map((d) => d.receiveCount)).toEqual(['1', '1']);
  });

  it.concurrent('retries the whole batch when the handler throws', async () => {
    const queue = await createQueue({ VisibilityTimeout: VISIBILITY });
    const batches: SQSEvent[] = [];
    // Both are queued before polling starts, so they make one batch however slow the sends are.
    await send(queue, 'x');
    await send(queue, 'y');
    const errors = poll(
      queue,
      async (event) => {
        batches.push(event);
        if (batches.length === 1) throw new Error('transient failure');
      },
      { concurrency: 1, maxBatchingWindowMs: 300 },
    );
    await eventually(() => isEmpty(queue) && batches.flatMap((b) => b.Records).length >= 4, STEP_MS + VISIBILITY_MS);
    const retried = batches.slice(1).flatMap((b) => b.Records);
    expect(retried.map((r) => r.body).sort()).toEqual(['x', 'y']);
    expect(retried.every((r) => r.attributes.ApproximateReceiveCount === '2')).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ message: 'transient failure' })]);
  });

  it.concurrent('retries the whole batch when batchItemFailures names an unknown message', async () => {
    const queue = await createQueue({ VisibilityTimeout: VISIBILITY });
    let invocations = 0;
    poll(
      queue,
      async () => {
        invocations += 1;
        return invocations === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined;
      },
      { concurrency: 1 },
    );
    await send(queue, 'z');
    await eventually(() => invocations === 2 && isEmpty(queue), STEP_MS + VISIBILITY_MS);
  });

  it.concurrent('sends a poison message to the dead-letter queue after maxReceiveCount', async () => {
    const dlq = await createQueue();
    const queue = await createQueue({
      VisibilityTimeout: VISIBILITY,
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const handled: string[] = [];
    poll(
      queue,
      async (event) => ({
        batchItemFailures: event.Records.filter((r) => {
          handled.push(r.body);
          return r.body === 'poison';
        }).map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { concurrency: 1 },
    );
    await send(queue, 'poison');
    await send(queue, 'fine');
    await eventually(() => isEmpty(queue) && counts(dlq).ApproximateNumberOfMessages === '1', STEP_MS + 2 * VISIBILITY_MS);
    expect(handled.filter((b) => b === 'poison')).toHaveLength(2);
    expect(handled.filter((b) => b === 'fine')).toHaveLength(1);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url }));
    expect(Messages?.[0]?.Body).toBe('poison');
  });

  it('without ReportBatchItemFailures deletes everything on success, ignoring the response', async () => {
    const queue = await createQueue({ VisibilityTimeout: VISIBILITY });
    let invocations = 0;
    poll(
      queue,
      async (event) => {
        invocations += 1;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { reportBatchItemFailures: false },
    );
    await send(queue, 'once');
    await eventually(() => invocations === 1 && isEmpty(queue));
  });

  it('stop() waits for the in-flight batch to finish and be deleted', async () => {
    const queue = await createQueue();
    let finished = false;
    let started = false;
    const poller = startEventSourcePoller({
      client: sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      },
    });
    await send(queue, 'slow');
    await eventually(() => started);
    await poller.stop();
    expect(finished).toBe(true);
    expect(isEmpty(queue)).toBe(true);
  });

  it('stops promptly while long polling an empty queue and leaves later messages alone', async () => {
    const queue = await createQueue();
    const poller = startEventSourcePoller({
      client: sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler: async () => undefined,
      waitTimeSeconds: 20,
    });
    // Lets the long poll start; on a slow machine it may start later, and stop() must be prompt either way.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await poller.stop();
    // Promptly: well short of the 20 s long poll it cuts, however slow the machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    await send(queue, 'after-stop');
    // Quiet period: it can only let a late receive slip past on a slow machine, never fail a stopped poller.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counts(queue).ApproximateNumberOfMessages).toBe('1');
  });

  it.concurrent('gathers a batch above 10 from several receives within the batching window', async () => {
    const queue = await createQueue();
    const bodies = Array.from({ length: 25 }, (_, index) => `m-${index}`);
    // Queued before polling starts: the window (generous, so a slow machine still fills the batch) gathers them all.
    await Promise.all(bodies.map((body) => send(queue, body)));
    const batches: string[][] = [];
    const errors = poll(
      queue,
      async (event) => {
        batches.push(event.Records.map((record) => record.body));
      },
      { concurrency: 1, batchSize: 25, maxBatchingWindowMs: 5_000 },
    );
    await eventually(() => batches.flat().length === 25 && isEmpty(queue), STEP_MS + 5_000);
    expect(batches).toHaveLength(1);
    expect([...batches[0]!].sort()).toEqual([...bodies].sort());
    expect(errors).toEqual([]);
  });

  it.concurrent('runs at most `concurrency` invocations and receives nothing while every one is taken', async () => {
    const queue = await createQueue();
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((body) => send(queue, body)));
    let running = 0;
    let most = 0;
    const handled: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const errors = poll(
      queue,
      async (event) => {
        running++;
        most = Math.max(most, running);
        await released;
        handled.push(...event.Records.map((record) => record.body));
        running--;
      },
      { concurrency: 2, batchSize: 2 },
    );
    await eventually(() => running === 2);
    // Both slots taken: the two batches are in flight, the rest still waits in the queue.
    expect(counts(queue)).toMatchObject({ ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '4' });
    release();
    await eventually(() => handled.length === 6 && isEmpty(queue));
    expect(most).toBe(2);
    expect(errors).toEqual([]);
  });

  it('rejects invalid options', () => {
    const base = { client: sqs, queueUrl: 'x', queueArn: 'arn:aws:sqs:us-east-1:0:x', handler: async () => undefined };
    // As AWS: above 10 only with a batching window of at least a second; never above 10,000.
    expect(() => startEventSourcePoller({ ...base, batchSize: 11 })).toThrow(RangeError);
    expect(() => startEventSourcePoller({ ...base, batchSize: 11, maxBatchingWindowMs: 999 })).toThrow(RangeError);
    expect(() => startEventSourcePoller({ ...base, batchSize: 10_001, maxBatchingWindowMs: 1000 })).toThrow(RangeError);
    expect(() => startEventSourcePoller({ ...base, batchSize: 0 })).toThrow(RangeError);
  });
});
