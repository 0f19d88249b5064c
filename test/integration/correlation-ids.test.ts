import type { SQSEvent } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { postJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

let stack: LocalStack;
/** The bodies of every SQS message the router was handed. */
const routed: unknown[] = [];

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    web: false,
    instrument: (name, handler) =>
      name === 'router'
        ? (event, context) => {
            for (const record of (event as SQSEvent).Records) routed.push(JSON.parse(record.body));
            return handler(event, context);
          }
        : handler,
  });
}, STACK_START_MS);
afterAll(async () => {
  await stack?.stop();
});

describe('correlation ids', () => {
  it(
    'a frame’s clientMsgId rides its routing trigger through SQS to the router',
    async () => {
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Traced' });
      const client = await RawClient.connect(stack.wsUrl, guest.body.token as string);
      client.send({ action: 'start', skill: 'billing', text: 'Hello', clientMsgId: 'corr-start-1' });
      const started = await client.nextOfType('conversation');
      const conversationId = (started as unknown as { conversation: { id: string } }).conversation.id;
      await waitFor(() => routed.some((body) => (body as { conversationId?: string }).conversationId === conversationId));
      // The trigger carries the skill, so the router drains without reading the conversation first.
      expect(routed).toContainEqual({ type: 'conversation.queued', conversationId, skill: 'billing', correlationId: 'corr-start-1' });
      client.close();
    },
    budget(4),
  );
});
