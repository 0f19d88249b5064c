import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConversationStore } from '../../../functions/adapters/dynamodb/conversation-store';
import { STATUS_SHARDS, statusShardKey } from '../../../functions/adapters/dynamodb/conversation-items';
import { keys } from '../../../functions/adapters/dynamodb/keys';
import { ulidGenerator } from '../../../functions/adapters/system/clock';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';

let server: DynaliteServer;
let store: DynamoConversationStore;
let documents: DynamoDBDocumentClient;
const TABLE = 'parley-routing';
const ids = ulidGenerator();
const at = (second: number) => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;

beforeAll(async () => {
  server = await startDynalite({ port: 0 });
  const client = localDynamoClient(server.endpoint);
  await ensureTable(client, 'parley-routing');
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  store = new DynamoConversationStore(documents, TABLE, ids);
});

afterAll(async () => {
  await server?.close();
});

async function open(customer: string, skill: string, second: number) {
  const { conversation } = await store.openFor({ id: ids.next(), customer: { id: customer, name: customer }, skill, now: at(second) });
  return conversation;
}

describe('routing transitions on DynamoDB (dynalite)', () => {
  it('bumps the epoch on every transition and refuses a write from a stale epoch', async () => {
    const conversation = await open('cust-1', 'billing', 1);
    expect(conversation.epoch ?? 0).toBe(0);
    expect(await store.assign(conversation.id, { id: 'a1', name: 'A' }, at(2), 1)).toBeUndefined();
    const assigned = await store.assign(conversation.id, { id: 'a1', name: 'A' }, at(2), 0);
    expect(assigned).toMatchObject({ status: 'assigned', agent: { id: 'a1' }, epoch: 1 });
    expect(await store.assign(conversation.id, { id: 'a2', name: 'B' }, at(3), 0)).toBeUndefined();
    const moved = await store.reassign(conversation.id, 'a1', { id: 'a2', name: 'B' }, at(3), 1);
    expect(moved).toMatchObject({ agent: { id: 'a2' }, epoch: 2 });
    expect(await store.requeue(conversation.id, 'a2', 'tech', at(4), { fromEpoch: 1 })).toBeUndefined();
    const requeued = await store.requeue(conversation.id, 'a2', 'billing', at(4), { fromEpoch: 2, queuedAt: at(1) });
    expect(requeued).toMatchObject({ status: 'queued', queuedAt: at(1), epoch: 3 });
    expect(requeued?.agent).toBeUndefined();
    const closed = await store.close(conversation.id, { id: 'cust-1', role: 'customer' }, at(5));
    expect(closed).toMatchObject({ status: 'closed', epoch: 4 });
  });

  it('keeps when an agent was first assigned across requeues (time to assignment ends there)', async () => {
    const conversation = await open('cust-first', 'billing', 1);
    const first = await store.assign(conversation.id, { id: 'a1', name: 'A' }, at(2), 0);
    expect(first).toMatchObject({ assignedAt: at(2), firstAssignedAt: at(2) });
    await store.requeue(conversation.id, 'a1', 'billing', at(3), { fromEpoch: 1 });
    const again = await store.assign(conversation.id, { id: 'a2', name: 'B' }, at(4), 2);
    expect(again).toMatchObject({ assignedAt: at(4), firstAssignedAt: at(2) });
  });

  it('puts a requeued conversation back at the front by keeping its original time', async () => {
    const first = await open('cust-2', 'front', 10);
    const second = await open('cust-3', 'front', 11);
    await store.assign(first.id, { id: 'a1', name: 'A' }, at(12), 0);
    await store.requeue(first.id, 'a1', 'front', at(20), { fromEpoch: 1, queuedAt: first.queuedAt! });
    expect((await store.listQueued('front', 10)).map((c) => c.id)).toEqual([first.id, second.id]);
    expect(await store.countQueued('front')).toBe(2);
  });

  it('lists what is assigned, per agent and overall', async () => {
    const conversation = await open('cust-4', 'lists', 30);
    await store.assign(conversation.id, { id: 'lister', name: 'L' }, at(31), 0);
    const closedOne = await open('cust-5', 'lists', 32);
    await store.assign(closedOne.id, { id: 'lister', name: 'L' }, at(33), 0);
    await store.close(closedOne.id, { id: 'lister', role: 'agent' }, at(34));
    expect((await store.listAssignedTo('lister')).map((c) => c.id)).toEqual([conversation.id]);
    expect((await store.listAllAssigned()).map((c) => c.id)).toContain(conversation.id);
  });

  it("spreads byStatus over shards and keeps an agent's open conversations apart from its closed ones (byAgent)", async () => {
    const stored = async (id: string) =>
      (await documents.send(new GetCommand({ TableName: TABLE, Key: keys.conversation(id) }))).Item as Record<string, string>;
    const opened = await Promise.all(Array.from({ length: 24 }, (_, index) => open(`cust-shard-${index}`, 'shards', 40)));
    const shards = new Set(await Promise.all(opened.map(async (conversation) => (await stored(conversation.id)).statusKey)));
    // 24 ids over 4 shards: every shard used, none of them the old shared key.
    expect([...shards].sort()).toEqual(Array.from({ length: STATUS_SHARDS }, (_, shard) => `queued#${shard}`));
    const [kept, done] = opened;
    await store.assign(kept!.id, { id: 'keeper', name: 'K' }, at(41), 0);
    await store.assign(done!.id, { id: 'keeper', name: 'K' }, at(42), 0);
    expect(await stored(kept!.id)).toMatchObject({ statusKey: statusShardKey('assigned', kept!.id), agentSort: `O#${at(41)}#${kept!.id}` });
    await store.close(done!.id, { id: 'keeper', role: 'agent' }, at(43));
    expect(await stored(done!.id)).toMatchObject({ statusKey: statusShardKey('closed', done!.id), agentSort: `C#${at(43)}#${done!.id}` });
    // The open ones are read by their prefix: the closed one is not even read.
    const open_ = await documents.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'byAgent',
        KeyConditionExpression: 'agentKey = :agent AND begins_with(agentSort, :open)',
        ExpressionAttributeValues: { ':agent': 'keeper', ':open': 'O#' },
      }),
    );
    // byAgent projects keys and status only (table-schema.ts INDEX_PROJECTIONS).
    expect(open_.Items?.map((item) => item.pk)).toEqual([`CONV#${kept!.id}`]);
    expect((await store.listAssignedTo('keeper')).map((c) => c.id)).toEqual([kept!.id]);
    // The session list: open ones first, then the most recently closed.
    expect((await store.listForAgent('keeper', 10)).map((c) => c.id)).toEqual([kept!.id, done!.id]);
    // Merged across the shards, newest first, as one partition listed them.
    const waiting = new Set(opened.slice(2).map((conversation) => conversation.id));
    expect((await store.listByStatus('queued', 500)).filter((c) => waiting.has(c.id)).map((c) => c.id)).toEqual(
      [...waiting].sort().reverse(),
    );
  });

  it('still finds conversations written before the keys were sharded (the unsharded byStatus key, the old byAgent sort key)', async () => {
    const legacy = await open('cust-legacy', 'legacy', 50);
    const assigned = await store.assign(legacy.id, { id: 'old-timer', name: 'O' }, at(51), 0);
    // As an older deployment wrote it.
    await documents.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: keys.conversation(legacy.id),
        UpdateExpression: 'SET statusKey = :status, agentSort = :sort',
        ExpressionAttributeValues: { ':status': 'assigned', ':sort': `${assigned!.assignedAt}#${legacy.id}` },
      }),
    );
    expect((await store.listAssignedTo('old-timer')).map((c) => c.id)).toEqual([legacy.id]);
    expect((await store.listAllAssigned()).map((c) => c.id)).toContain(legacy.id);
    expect((await store.listByStatus('assigned', 500)).map((c) => c.id)).toContain(legacy.id);
    expect((await store.listForAgent('old-timer', 10)).map((c) => c.id)).toEqual([legacy.id]);
  });

  it('tells whether a page of a queue held the whole queue', async () => {
    const first = await open('cust-page-1', 'paged', 60);
    const second = await open('cust-page-2', 'paged', 61);
    expect(await store.listQueuedPage('paged', 2)).toMatchObject({ conversations: [{ id: first.id }, { id: second.id }], more: true });
    expect(await store.listQueuedPage('paged', 3)).toMatchObject({ conversations: [{ id: first.id }, { id: second.id }], more: false });
  });
});
