import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/** `npm start -- --data DIR`: a routing trigger the router has not handled yet survives a restart. */
let dataDir: string | undefined;
let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const trigger = (conversationId: string) => JSON.stringify({ type: 'conversation.queued', conversationId });

describe('SQS messages under --data', () => {
  it(
    'are delivered after a restart: waiting, delayed and in-flight ones alike',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'parley-queues-'));
      // The router is off: triggers sent now wait in the queue when the stack stops.
      stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, web: false, dataDir, router: false });
      const sqs = new SQSClient({
        endpoint: stack.endpoints.sqs,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const queueUrl = stack.routingQueueUrl;
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: trigger('kept-waiting') }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: trigger('kept-delayed'), DelaySeconds: 1 }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: trigger('kept-in-flight'), DelaySeconds: 0 }));
      // A consumer took the in-flight one and crashed before deleting it: it shows again after its timeout.
      const taken = await waitFor(
        async () => {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }),
          );
          return Messages.find((message) => message.Body === trigger('kept-in-flight'));
        },
        { message: 'the in-flight trigger received' },
      );
      expect(taken).toBeDefined();
      sqs.destroy();
      await stack.stop();
      stack = undefined;

      const routed: string[] = [];
      stack = await startLocalStack({
        httpPort: 0,
        wsPort: 0,
        demo: false,
        web: false,
        dataDir,
        instrument: (name, handler) =>
          name !== 'router'
            ? handler
            : async (event, context) => {
                routed.push(...(event as SQSEvent).Records.map((record) => record.body));
                return handler(event, context);
              },
      });
      await waitFor(() => ['kept-waiting', 'kept-delayed', 'kept-in-flight'].every((id) => routed.includes(trigger(id))), {
        timeoutMs: budget(3),
        message: 'every kept trigger routed',
      });
    },
    2 * STACK_START_MS + budget(6),
  );
});
