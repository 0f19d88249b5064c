import { afterAll, describe, expect, it } from 'vitest';
import { tableAccessOf } from '../../functions/routes';
import { isTableRequestAllowed } from '../../functions/table-access';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * Search (issue 11, docs/search.md) on the local stack, through the real path: real
 * conversations publish their events, the events consumer runs the `search` sink, which
 * writes the posting lists into the stack's table, and `GET /v1/search` answers each role
 * within what it may see, under both functions' own IAM grants (the local stack enforces them).
 */
let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function signIn(path: string, body: Record<string, unknown>): Promise<{ client: RawClient; token: string }> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  return { client, token: issued.token as string };
}

const staff = (email: string) => signIn('/v1/auth/login', { email, password: 'parley-demo' });

async function search(token: string | undefined, query: Record<string, string>) {
  return getJson(`${stack.httpUrl}/v1/search?${new URLSearchParams(query).toString()}`, token);
}

const found = async (token: string, query: Record<string, string>): Promise<string[]> => {
  const { status, body } = await search(token, query);
  expect(status, JSON.stringify(body)).toBe(200);
  return (body.results as Array<{ conversationId: string }>).map((hit) => hit.conversationId);
};

describe('search on the local stack', () => {
  it(
    'finds by words, email, name prefix, customer id and conversation id; an agent only what it took part in',
    async () => {
      const tech = await staff('agent.tech@example.com');
      await tech.client.request({ action: 'status', status: 'online' }, ['status']);
      const nora = await signIn('/v1/auth/guest', { name: 'Nora Quist' });
      const started = await nora.client.request(
        {
          action: 'start',
          skill: 'tech',
          text: 'My invoice 7781 shows the wrong address',
          clientMsgId: 's-1',
          profile: { name: 'Nora Quist', email: 'Nora@Customer.example' },
        },
        ['conversation'],
      );
      const noraConversation = started.conversation as { id: string; customer: { id: string } };
      await tech.client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === noraConversation.id);
      await tech.client.request(
        { action: 'message', conversationId: noraConversation.id, clientMsgId: 't-1', text: 'Looking at invoice 7781 now' },
        ['ack'],
      );

      // A second conversation, with the billing agent only.
      await tech.client.request({ action: 'status', status: 'away' }, ['status']);
      const billing = await staff('agent.billing@example.com');
      await billing.client.request({ action: 'status', status: 'online' }, ['status']);
      const omar = await signIn('/v1/auth/guest', { name: 'Omar' });
      const second = await omar.client.request(
        { action: 'start', skill: 'billing', text: 'Refund for my parcel please', clientMsgId: 's-2' },
        ['conversation'],
      );
      const omarConversation = (second.conversation as { id: string }).id;
      await billing.client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === omarConversation);

      const supervisor = await staff('supervisor@example.com');
      // Indexing is asynchronous (the events queue): wait until the newest message of each
      // conversation is found in the scopes asserted on below, then the customers.
      const indexed = (token: string, query: Record<string, string>, conversationId: string, seq: number) =>
        waitFor(
          async () => {
            const { body } = await search(token, query);
            return (body.results as Array<{ conversationId: string; seq: number }>).some(
              (hit) => hit.conversationId === conversationId && hit.seq === seq,
            );
          },
          { message: `${JSON.stringify(query)} indexed`, timeoutMs: budget(3), intervalMs: 100 },
        );
      await indexed(supervisor.token, { q: 'invoice' }, noraConversation.id, 2);
      await indexed(tech.token, { q: 'invoice' }, noraConversation.id, 2);
      await indexed(billing.token, { q: 'parcel' }, omarConversation, 1);
      await indexed(supervisor.token, { customer: 'nora' }, noraConversation.id, 0);
      await indexed(tech.token, { customer: 'nora' }, noraConversation.id, 0);

      // Words in messages: all of them in one message, newest first.
      expect(await found(supervisor.token, { q: 'invoice 7781' })).toEqual([noraConversation.id]);
      expect(await found(supervisor.token, { q: 'refund parcel' })).toEqual([omarConversation]);
      const [hit] = (await search(supervisor.token, { q: 'Invoice' })).body.results;
      expect(hit).toMatchObject({
        conversationId: noraConversation.id,
        seq: 2,
        customer: { name: 'Nora Quist' },
        skill: 'tech',
        status: 'assigned',
        snippet: { text: 'Looking at invoice 7781 now', highlights: [[11, 7]] },
      });
      // The customer: email (any case), name prefix, id; the conversation by its id.
      expect(await found(supervisor.token, { q: 'nora@customer.example' })).toEqual([noraConversation.id]);
      expect(await found(supervisor.token, { customer: 'NOR qu' })).toEqual([noraConversation.id]);
      expect(await found(supervisor.token, { customer: noraConversation.customer.id })).toEqual([noraConversation.id]);
      expect(await found(supervisor.token, { q: noraConversation.id })).toEqual([noraConversation.id]);

      // The agent who had it finds it; the billing agent, who never took part, finds nothing of it.
      expect(await found(tech.token, { q: 'invoice 7781' })).toEqual([noraConversation.id]);
      expect(await found(tech.token, { q: noraConversation.id })).toEqual([noraConversation.id]);
      expect(await found(billing.token, { q: 'invoice 7781' })).toEqual([]);
      expect(await found(billing.token, { q: 'nora@customer.example' })).toEqual([]);
      expect(await found(billing.token, { customer: 'nora' })).toEqual([]);
      expect(await found(billing.token, { q: noraConversation.id })).toEqual([]);
      expect(await found(billing.token, { q: 'parcel' })).toEqual([omarConversation]);
      expect(await found(tech.token, { q: 'parcel' })).toEqual([]);

      // Refusals: a clear error each.
      expect((await search(nora.token, { q: 'invoice' })).status).toBe(403);
      expect((await search(undefined, { q: 'invoice' })).status).toBe(401);
      const bad: Array<Record<string, string>> = [
        {},
        { q: 'a', customer: 'b' },
        { q: 'the' },
        { q: 'invoice', cursor: 'forged' },
        { q: 'invoice', limit: '51' },
        { q: 'x', extra: '1' },
      ];
      for (const query of bad) {
        const { status, body } = await search(supervisor.token, query);
        expect(status, JSON.stringify(query)).toBe(400);
        expect(body.error.code).toBe('bad_request');
      }

      await Promise.all([tech.client.close(), billing.client.close(), nora.client.close(), omar.client.close(), supervisor.client.close()]);
    },
    budget(40),
  ); // 5 sign-ins, 2 starts and assignments, statuses, a message, the events consumer, ~25 searches
});

describe('the search route reads only postings and conversations (IAM grants)', () => {
  it('may not write, nor read notes, credentials or sessions beyond the token check', () => {
    const access = tableAccessOf('search');
    expect(isTableRequestAllowed(access, { action: 'Query', partitionKeys: ['SEARCH#all#w:refund'] })).toBe(true);
    for (const action of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']) {
      expect(isTableRequestAllowed(access, { action, partitionKeys: ['SEARCH#all#w:refund'] })).toBe(false);
    }
    expect(isTableRequestAllowed(access, { action: 'Query', partitionKeys: ['NOTES#c'] })).toBe(false);
    expect(isTableRequestAllowed(access, { action: 'GetItem', partitionKeys: ['CREDENTIAL#a'] })).toBe(false);
    expect(isTableRequestAllowed(access, { action: 'Scan', partitionKeys: ['SEARCH#all#w:refund'] })).toBe(false);
  });
});
