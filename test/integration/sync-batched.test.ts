import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, STACK_START_MS } from '../support/setup';

/**
 * `sync` with `batched: true` (issue 14): the backlog comes in `messages` frames, several
 * messages each, in seq order, instead of one `message` frame per message; without it,
 * nothing changes.
 */
let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

describe('batched sync on the local stack', () => {
  it('replays the backlog in messages frames when asked, and as message frames otherwise', async () => {
    const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Batch Betty' });
    const token = body.token as string;
    const customer = await RawClient.connect(stack.wsUrl, token);
    await customer.request({ action: 'sync' }, ['synced']);
    const started = await customer.request({ action: 'start', text: 'one', clientMsgId: 'b1' }, ['conversation']);
    const conversationId = (started.conversation as { id: string }).id;
    for (const text of ['two', 'three', 'four']) {
      await customer.request({ action: 'message', conversationId, clientMsgId: text, text }, ['ack']);
    }
    await customer.close();

    const batched = await RawClient.connect(stack.wsUrl, token);
    const synced = await batched.request({ action: 'sync', batched: true, cursors: { [conversationId]: 0 } }, ['synced']);
    const frames = batched.all('messages') as Array<Frame & { messages: Array<{ seq: number; text: string }> }>;
    expect(batched.all('message')).toEqual([]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ conversationId });
    const texts = frames[0]!.messages.map((message) => message.text);
    expect(texts).toEqual(expect.arrayContaining(['one', 'two', 'three', 'four']));
    const seqs = frames[0]!.messages.map((message) => message.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(synced.conversations).toEqual({ [conversationId]: seqs.at(-1) });
    await batched.close();

    const plain = await RawClient.connect(stack.wsUrl, token);
    await plain.request({ action: 'sync', cursors: { [conversationId]: 0 } }, ['synced']);
    expect(plain.all('messages')).toEqual([]);
    expect(plain.all('message').map((frame) => frame.seq)).toEqual(seqs);
    await plain.close();
  });
});
