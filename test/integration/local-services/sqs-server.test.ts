import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsServer } from '../../../local/sqs/sqs-server';
import { startSqsServer } from '../../../local/sqs/sqs-server';
import { localSqsClient } from './sqs-test-client';

let server: SqsServer;
let sqs: SQSClient;
let queueCounter = 0;

beforeAll(async () => {
  server = await startSqsServer({ port: 0, region: 'eu-west-1', accountId: '123456789012' });
  sqs = localSqsClient(server.endpoint);
});

afterAll(async () => {
  sqs.destroy();
  await server.close();
});

async function createQueue(attributes: Record<string, string> = {}): Promise<string> {
  queueCounter += 1;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `q-${queueCounter}`, Attributes: attributes }));
  if (!QueueUrl) throw new Error('CreateQueue returned no QueueUrl');
  return QueueUrl;
}

async function attributesOf(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  return Attributes ?? {};
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { Code?: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('local SQS server with the real SQSClient', () => {
  it('names queues by URL and ARN', async () => {
    const queueUrl = await createQueue();
    expect(queueUrl).toBe(`http://127.0.0.1:${server.port}/123456789012/q-${queueCounter}`);
    expect((await attributesOf(queueUrl)).QueueArn).toBe(`arn:aws:sqs:eu-west-1:123456789012:q-${queueCounter}`);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `q-${queueCounter}` }));
    expect(QueueUrl).toBe(queueUrl);
  });

  it('sends, receives and deletes with body and attribute MD5s the SDK accepts', async () => {
    const queueUrl = await createQueue();
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'héllo wörld ✓',
        MessageAttributes: {
          ordinal: { DataType: 'Number', StringValue: '1' },
          category: { DataType: 'String', StringValue: 'test' },
        },
      }),
    );
    // Reference value computed by AWS's documented algorithm (as verified against AWS SDKs).
    expect(sent.MD5OfMessageAttributes).toBe('d21ae90c49061e927f57df5f5d72be1f');
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo wörld ✓', 'utf8').digest('hex'));

    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    const message = received.Messages?.[0];
    expect(received.Messages).toHaveLength(1);
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Body).toBe('héllo wörld ✓');
    expect(message?.MD5OfBody).toBe(sent.MD5OfMessageBody);
    expect(message?.MD5OfMessageAttributes).toBe('d21ae90c49061e927f57df5f5d72be1f');
    expect(message?.MessageAttributes).toEqual({
      ordinal: { DataType: 'Number', StringValue: '1' },
      category: { DataType: 'String', StringValue: 'test' },
    });
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(Number(message?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 10_000);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle }));
    const attributes = await attributesOf(queueUrl);
    expect(attributes.ApproximateNumberOfMessages).toBe('0');
    expect(attributes.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });

  it('round-trips binary attributes and returns only the requested attribute names', async () => {
    const queueUrl = await createQueue();
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: 'b',
        MessageAttributes: {
          blob: { DataType: 'Binary', BinaryValue: bytes },
          'trace.id': { DataType: 'String', StringValue: 't-1' },
        },
      }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['blob'], VisibilityTimeout: 0 }),
    );
    expect(Object.keys(Messages?.[0]?.MessageAttributes ?? {})).toEqual(['blob']);
    expect(Messages?.[0]?.MessageAttributes?.blob?.BinaryValue).toEqual(bytes);
    expect(Messages?.[0]?.Attributes).toBeUndefined();
    const byPrefix = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageAttributeNames: ['trace.*'] }));
    expect(Object.keys(byPrefix.Messages?.[0]?.MessageAttributes ?? {})).toEqual(['trace.id']);
  });

  it('redelivers after the visibility timeout with a higher receive count and a new handle', async () => {
    // On a server whose clock the test moves, so the message cannot reappear early on a slow machine.
    let now = Date.parse('2026-01-15T12:00:00Z');
    const timed = await startSqsServer({ port: 0, now: () => now });
    const sqs = localSqsClient(timed.endpoint);
    const attributesOf = async (QueueUrl: string | undefined) =>
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'redelivery', Attributes: { VisibilityTimeout: '1' } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'again' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['All'] }));
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    now += 999;
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(hidden.Messages ?? []).toHaveLength(0);
    expect((await attributesOf(queueUrl)).ApproximateNumberOfMessagesNotVisible).toBe('1');

    now += 1;
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    const redelivered = second.Messages?.[0];
    expect(redelivered?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    expect(redelivered?.ReceiptHandle).not.toBe(first.Messages?.[0]?.ReceiptHandle);

    // The stale handle's delete succeeds but does nothing; the current one deletes.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }));
    expect((await attributesOf(queueUrl)).ApproximateNumberOfMessagesNotVisible).toBe('1');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: redelivered?.ReceiptHandle }));
    expect((await attributesOf(queueUrl)).ApproximateNumberOfMessagesNotVisible).toBe('0');
    await timed.close();
  });

  it('moves a message to the dead-letter queue once maxReceiveCount is exhausted', async () => {
    const dlqUrl = await createQueue();
    const dlqArn = (await attributesOf(dlqUrl)).QueueArn;
    const queueUrl = await createQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    const sourceArn = (await attributesOf(queueUrl)).QueueArn;
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

    for (const expectedCount of ['1', '2']) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ['All'] }),
      );
      expect(Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe(expectedCount);
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }));
    expect(third.Messages ?? []).toHaveLength(0);

    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['All'] }));
    expect(dead.Messages?.[0]?.MessageId).toBe(sent.MessageId);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(sourceArn);
    expect((await attributesOf(queueUrl)).RedrivePolicy).toBe(JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }));
  });

  it('rejects a redrive policy whose dead-letter queue does not exist', async () => {
    const error = await errorOf(
      createQueue({
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:nope', maxReceiveCount: 3 }),
      }),
    );
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain('Dead letter target does not exist');
  });

  it('runs batch sends, deletes and visibility changes with per-entry failures', async () => {
    const queueUrl = await createQueue();
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one', MessageAttributes: { n: { DataType: 'Number', StringValue: '42' } } },
          { Id: 'b', MessageBody: 'two' },
          { Id: 'c', MessageBody: 'three', DelaySeconds: 901 },
        ],
      }),
    );
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'c', Code: 'InvalidParameterValue', SenderFault: true })]);

    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => m.Body).sort()).toEqual(['one', 'two']);

    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'x', ReceiptHandle: Messages[0]?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'y', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful?.map((entry) => entry.Id)).toEqual(['x']);
    expect(changed.Failed?.[0]).toMatchObject({ Id: 'y', Code: 'ReceiptHandleIsInvalid' });
    expect((await attributesOf(queueUrl)).ApproximateNumberOfMessages).toBe('1');

    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'd1', ReceiptHandle: Messages[1]?.ReceiptHandle },
          { Id: 'd2', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(deleted.Successful).toEqual([{ Id: 'd1' }]);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: 'd2', Code: 'ReceiptHandleIsInvalid' });

    const duplicateIds = await errorOf(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: [
            { Id: 'same', MessageBody: '1' },
            { Id: 'same', MessageBody: '2' },
          ],
        }),
      ),
    );
    expect(duplicateIds.name).toBe('BatchEntryIdsNotDistinct');
    const tooMany = await errorOf(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })),
        }),
      ),
    );
    expect(tooMany.name).toBe('TooManyEntriesInBatchRequest');
  });

  it('long polling returns as soon as a message arrives', async () => {
    const queueUrl = await createQueue();
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'late' })), 150);
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('late');
    // Well short of the 10 s wait, however slow the machine (the send comes after 150 ms).
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it('long polling waits the full time when nothing arrives', async () => {
    const queueUrl = await createQueue({ ReceiveMessageWaitTimeSeconds: '1' });
    const started = Date.now();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(Messages ?? []).toHaveLength(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('holds delayed messages back for DelaySeconds', async () => {
    // On a server whose clock the test moves: the delay ends when the test says, not when a
    // slow machine happens to get to the next request.
    let now = Date.parse('2026-01-15T12:00:00Z');
    const timed = await startSqsServer({ port: 0, now: () => now });
    try {
      const client = localSqsClient(timed.endpoint);
      const { QueueUrl: queueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'delayed' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'later', DelaySeconds: 1 }));
      const delayed = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
      expect(delayed.Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
      now += 999;
      expect((await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? []).toHaveLength(0);
      now += 1;
      const received = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
      expect(received.Messages?.[0]?.Body).toBe('later');
    } finally {
      await timed.close();
    }
  });

  it('reports a missing queue as QueueDoesNotExist with the legacy query code', async () => {
    const error = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: 'missing-queue' })));
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error.name).toBe('QueueDoesNotExist');
    expect(error.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    const viaUrl = await errorOf(
      sqs.send(new SendMessageCommand({ QueueUrl: `${server.endpoint}/123456789012/missing-queue`, MessageBody: 'x' })),
    );
    expect(viaUrl.name).toBe('QueueDoesNotExist');
  });

  it('validates parameters with SQS error names', async () => {
    const queueUrl = await createQueue();
    const tooMany = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })));
    expect(tooMany.name).toBe('InvalidParameterValue');
    const badHandle = await errorOf(sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'bogus' })));
    expect(badHandle.name).toBe('ReceiptHandleIsInvalid');
    const missingBody = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: undefined })));
    expect(missingBody.name).toBe('MissingParameter');
    const badNumber = await errorOf(
      sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } },
        }),
      ),
    );
    expect(badNumber.name).toBe('InvalidParameterValue');
    const badAttribute = await errorOf(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '50000' } })),
    );
    expect(badAttribute.name).toBe('InvalidParameterValue');
    const unknownAttribute = await errorOf(
      sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['Bogus' as 'All'] })),
    );
    expect(unknownAttribute.name).toBe('InvalidAttributeName');
    const notInFlight = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'y' }));
    expect(notInFlight.MessageId).toBeTruthy();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }));
    const expired = await errorOf(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 5 }),
      ),
    );
    expect(expired.name).toBe('MessageNotInflight');
  });

  it('answers raw protocol errors in the SDK error shape', async () => {
    const unknown = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.Nope' },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'com.amazonaws.sqs#UnknownOperationException' });
    const missing = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' },
      body: JSON.stringify({ QueueName: 'absent' }),
    });
    expect(missing.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    const huge = await fetch(server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  it('creates idempotently, rejects conflicting attributes, lists, sets, purges and deletes queues', async () => {
    const queueUrl = await createQueue({ VisibilityTimeout: '5' });
    const name = `q-${queueCounter}`;
    const again = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '5' } }));
    expect(again.QueueUrl).toBe(queueUrl);
    const conflict = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '6' } })));
    expect(conflict.name).toBe('QueueNameExists');

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { DelaySeconds: '2', MessageRetentionPeriod: '120' } }));
    const attributes = await attributesOf(queueUrl);
    expect(attributes).toMatchObject({ VisibilityTimeout: '5', DelaySeconds: '2', MessageRetentionPeriod: '120' });

    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
    expect(listed.QueueUrls).toContain(queueUrl);
    const paged = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'q-', MaxResults: 1 }));
    expect(paged.QueueUrls).toHaveLength(1);
    expect(paged.NextToken).toBeTruthy();
    const nextPage = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'q-', MaxResults: 1, NextToken: paged.NextToken }));
    expect(nextPage.QueueUrls?.[0]).not.toBe(paged.QueueUrls?.[0]);

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x', DelaySeconds: 0 }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    expect((await attributesOf(queueUrl)).ApproximateNumberOfMessages).toBe('0');

    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    const gone = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    expect(gone.name).toBe('QueueDoesNotExist');
  });
});
