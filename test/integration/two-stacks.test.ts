import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson } from '../../local/tools/raw-client';
import { refusal } from './local-gateway/ws-test-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * Each stack hands its handlers its own configuration (functions/wiring.ts), so two stacks
 * in one process share handler modules but nothing else: not the table, the signing key,
 * the queue or Redis.
 */
let first: LocalStack;
let second: LocalStack;

beforeAllOrFail(async () => {
  [first, second] = await Promise.all([
    startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false }),
    startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false }),
  ]);
}, 2 * STACK_START_MS);

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
});

async function guestToken(stack: LocalStack, name: string): Promise<string> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  expect(response.status).toBe(201);
  return response.body.token as string;
}

async function startConversation(stack: LocalStack, token: string, text: string): Promise<string> {
  const client = await RawClient.connect(stack.wsUrl, token);
  try {
    client.send({ action: 'sync' });
    await client.nextOfType('synced');
    client.send({ action: 'start', skill: 'billing', text, clientMsgId: 'm-1' });
    const conversation = await client.nextOfType('conversation');
    return String((conversation.conversation as { id: string }).id);
  } finally {
    client.close();
  }
}

describe('two local stacks in one process', () => {
  it(
    'keep their own configuration, tables and signing keys',
    async () => {
      expect(first.wiring().config.TABLE_NAME).toBe(second.wiring().config.TABLE_NAME);
      expect(first.wiring().config.AWS_ENDPOINT_URL_DYNAMODB).not.toBe(second.wiring().config.AWS_ENDPOINT_URL_DYNAMODB);
      expect(first.wiring().ports).not.toBe(second.wiring().ports);

      const ann = await guestToken(first, 'Ann');
      const bob = await guestToken(second, 'Bob');
      const annConversation = await startConversation(first, ann, 'Hello from the first stack');
      const bobConversation = await startConversation(second, bob, 'Hello from the second stack');

      // Each stack stored only its own conversation.
      expect(await first.wiring().ports.conversations.get(annConversation)).toMatchObject({ id: annConversation });
      expect(await second.wiring().ports.conversations.get(annConversation)).toBeUndefined();
      expect(await second.wiring().ports.conversations.get(bobConversation)).toMatchObject({ id: bobConversation });
      expect(await first.wiring().ports.conversations.get(bobConversation)).toBeUndefined();
      const history = await getJson(`${first.httpUrl}/v1/conversations/${annConversation}/messages`, ann);
      const texts = history.body.messages.map((message: { text: string }) => message.text);
      expect(texts).toContain('Hello from the first stack');
      expect(texts).not.toContain('Hello from the second stack');

      // A token signed by one stack is refused by the other, over HTTP and at $connect.
      expect((await getJson(`${second.httpUrl}/v1/conversations/${annConversation}/messages`, ann)).status).toBe(401);
      expect((await refusal(`${second.wsUrl}?token=${ann}`)).status).toBe(403);
    },
    budget(12),
  );
});
