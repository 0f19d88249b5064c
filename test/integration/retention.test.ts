import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { retentionExpiry } from '../../functions/domain/customer-data';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * Retention (docs/data-rights.md) on the local stack: with RETENTION_DAYS set, a closed
 * conversation's item, messages, claims, notes, search participants and postings all get the
 * same expiry (`expiresAt`, DynamoDB TTL) `retentionDays` after the close; an open one none.
 */
const DAYS = 30;
let stack: LocalStack;
const clients: RawClient[] = [];

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, env: { RETENTION_DAYS: String(DAYS) } });
}, STACK_START_MS);

afterAll(async () => {
  for (const client of clients) await client.close();
  await stack?.stop();
});

async function signIn(path: string, body: Record<string, unknown>): Promise<RawClient> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  clients.push(client);
  await client.request({ action: 'sync' }, ['synced']);
  return client;
}
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

async function itemsOf(pk: string): Promise<Record<string, unknown>[]> {
  const documents = DynamoDBDocumentClient.from(stack.wiring().clients.dynamodb);
  const found = await documents.send(
    new QueryCommand({ TableName: stack.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }),
  );
  return (found.Items ?? []) as Record<string, unknown>[];
}

describe('retention on the local stack', () => {
  it(
    "gives a closed conversation's items, notes and search postings one expiry, retentionDays after the close",
    async () => {
      const agent = await signIn('/v1/auth/login', { email: 'agent.tech@example.com', password: 'parley-demo' });
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const customer = await signIn('/v1/auth/guest', { name: 'Rita Retained' });
      const started = await customer.request({ action: 'start', skill: 'tech', text: 'Ephemeral pangolin question', clientMsgId: 'r-1' }, [
        'conversation',
      ]);
      const id = (started.conversation as { id: string }).id;
      await agent.waitFor(about('assigned', id));
      await agent.request({ action: 'note', conversationId: id, text: 'VIP customer', clientMsgId: 'n-1' }, ['ack']);
      await agent.request({ action: 'message', conversationId: id, text: 'Pangolin answered', clientMsgId: 'a-1' }, ['ack']);
      // Open: nothing expires yet.
      expect((await itemsOf(`CONV#${id}`)).filter((item) => item.expiresAt !== undefined)).toEqual([]);

      await agent.request({ action: 'close', conversationId: id }, ['closed']);
      const closed = await stack.wiring().ports.conversations.get(id);
      const expiresAt = retentionExpiry(closed!.closedAt!, DAYS);
      // Everything, postings included, carries the same expiry once the retention sink ran.
      const expiring = async (pk: string, ofThis = false) => {
        const items = (await itemsOf(pk)).filter((item) => !ofThis || item.conversationId === id);
        return items.length > 0 && items.every((item) => item.expiresAt === expiresAt);
      };
      const partitions = [`CONV#${id}`, `NOTES#${id}`, `SEARCHCONV#${id}`];
      const postings = ['SEARCH#all#w:pangolin', 'SEARCH#a:agent-tech#w:pangolin', 'SEARCH#all#w:answered', 'SEARCH#all#n:rita'];
      await waitFor(
        async () => {
          for (const pk of partitions) if (!(await expiring(pk))) return false;
          for (const pk of postings) if (!(await expiring(pk, true))) return false;
          return true;
        },
        { message: 'every item and posting of the conversation expiring', timeoutMs: budget(10) },
      );
      expect((await itemsOf(`CONV#${id}`)).map((item) => String(item.sk))).toEqual(
        expect.arrayContaining(['META', 'MSG#000000000001', 'MSG#000000000002']),
      );
    },
    budget(20),
  );
});
