import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { PARKED_ATTRIBUTES } from '../../functions/adapters/sqs/dead-letter-queue';
import { deadLetterQueueAttributes, routingQueueAttributes } from '../../lib/routing-queue-settings';
import { REPO_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import { inspectDeadLetters, redriveDeadLetters } from '../../scripts/redrive/dead-letters';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/** Queues on the local stack: its settings, triggers that can never succeed, and npm run redrive. */
let stack: LocalStack;
let sqs: SQSClient;
/** Every router invocation: the bodies it was given and the ones it reported failed. */
const routed: Array<{ bodies: string[]; failed: string[] }> = [];

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: false,
    web: false,
    instrument: (name, handler) =>
      name !== 'router'
        ? handler
        : async (event, context) => {
            const records = (event as SQSEvent).Records;
            const response = (await handler(event, context)) as SQSBatchResponse;
            const failedIds = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
            routed.push({
              bodies: records.map((record) => record.body),
              failed: records.filter((record) => failedIds.has(record.messageId)).map((record) => record.body),
            });
            return response;
          },
  });
  sqs = new SQSClient({
    endpoint: stack.endpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, STACK_START_MS);

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

async function attributesOf(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  return Attributes ?? {};
}

describe('the local routing queue', () => {
  it('is configured from the definition the CDK queue is built from', async () => {
    const deadLetter = await attributesOf(stack.deadLetterQueueUrl);
    expect(deadLetter).toMatchObject(deadLetterQueueAttributes());
    const routing = await attributesOf(stack.routingQueueUrl);
    const expected = routingQueueAttributes(deadLetter.QueueArn!);
    expect(routing).toMatchObject({
      VisibilityTimeout: expected.VisibilityTimeout,
      MessageRetentionPeriod: expected.MessageRetentionPeriod,
    });
    expect(JSON.parse(routing.RedrivePolicy!)).toEqual(JSON.parse(expected.RedrivePolicy!));
  });
});

describe('a trigger that can never succeed', () => {
  it(
    'lands in the DLQ on its first receive, with why, and is not retried',
    async () => {
      await sqs.send(new SendMessageCommand({ QueueUrl: stack.routingQueueUrl, MessageBody: '{not json' }));
      const report = await waitFor(
        async () => {
          const found = await inspectDeadLetters(sqs, stack.deadLetterQueueUrl);
          return found.sample.find((message) => message.body === '{not json') ? found : undefined;
        },
        { timeoutMs: budget(6), message: 'the malformed trigger in the DLQ' },
      );
      expect(report.sample.find((message) => message.body === '{not json')?.reason).toMatch(/^MalformedJson: /);
      // Handled, not failed: nothing left in flight for a retry after the visibility timeout.
      expect(routed.flatMap((invocation) => invocation.failed)).not.toContain('{not json');
      await waitFor(async () => {
        const routing = await attributesOf(stack.routingQueueUrl);
        return routing.ApproximateNumberOfMessages === '0' && routing.ApproximateNumberOfMessagesNotVisible === '0';
      });
      expect(routed.filter((invocation) => invocation.bodies.includes('{not json'))).toHaveLength(1);
    },
    budget(10),
  );
});

describe('npm run redrive', () => {
  const parked = JSON.stringify({ type: 'conversation.queued', conversationId: 'parked-while-broken' });

  it(
    'lists the DLQ without moving anything on --dry-run',
    async () => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.deadLetterQueueUrl,
          MessageBody: parked,
          MessageAttributes: {
            [PARKED_ATTRIBUTES.errorClass]: { DataType: 'String', StringValue: 'DependencyError' },
            [PARKED_ATTRIBUTES.errorMessage]: { DataType: 'String', StringValue: 'DynamoDB was down' },
          },
        }),
      );
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/redrive.ts', '--endpoint', stack.endpoints.sqs, '--dry-run'],
        { cwd: REPO_ROOT, env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } },
      );
      expect(stdout).toContain('DependencyError: DynamoDB was down');
      expect(stdout).toContain('Dry run');
      const after = await inspectDeadLetters(sqs, stack.deadLetterQueueUrl);
      expect(after.sample.map((message) => message.body)).toContain(parked);
    },
    budget(6),
  );

  it(
    'moves parked triggers back to the routing queue, where the router handles them',
    async () => {
      const outcome = await redriveDeadLetters(sqs, {
        deadLetterQueueUrl: stack.deadLetterQueueUrl,
        targetQueueUrl: stack.routingQueueUrl,
      });
      expect(outcome).toMatchObject({ sendFailures: 0, deleteFailures: 0 });
      expect(outcome.moved).toBeGreaterThanOrEqual(1);
      await waitFor(() => routed.some((invocation) => invocation.bodies.includes(parked) && !invocation.failed.includes(parked)), {
        timeoutMs: budget(3),
        message: 'the redriven trigger routed',
      });
      // The malformed one came back too, and was parked again at once; the routed one is gone for good.
      const left = await waitFor(async () => {
        const report = await inspectDeadLetters(sqs, stack.deadLetterQueueUrl);
        return report.sample.some((message) => message.body === '{not json') ? report : undefined;
      });
      expect(left.sample.map((message) => message.body)).not.toContain(parked);
    },
    budget(8),
  );
});
