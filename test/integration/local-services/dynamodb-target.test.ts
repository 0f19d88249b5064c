import { DeleteTableCommand, DescribeTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';
import { startDynamoTarget } from '../../../local/dynamodb/dynamodb-target';

/** An external endpoint (DYNAMODB_ENDPOINT) as the local stack uses it; a dynalite stands in for DynamoDB Local. */
let external: DynaliteServer;

beforeAll(async () => {
  external = await startDynalite({ port: 0 });
});

afterAll(async () => {
  await external?.close();
});

const tables = async () => (await localDynamoClient(external.endpoint).send(new ListTablesCommand({}))).TableNames ?? [];

describe('the DynamoDB a local stack uses', () => {
  it('is its own dynalite with the base table name unless an endpoint is given', async () => {
    const target = await startDynamoTarget({ baseTableName: 'parley' });
    try {
      expect(target).toMatchObject({ kind: 'dynalite', tableName: 'parley' });
      expect(target.endpoint).not.toBe(external.endpoint);
    } finally {
      await target.close();
    }
  });

  it('on an external endpoint: a table of its own per stack, dropped on stop', async () => {
    const [first, second] = await Promise.all([
      startDynamoTarget({ externalEndpoint: `${external.endpoint}/`, baseTableName: 'parley' }),
      startDynamoTarget({ externalEndpoint: external.endpoint, baseTableName: 'parley' }),
    ]);
    expect(first).toMatchObject({ kind: 'external', endpoint: external.endpoint });
    expect(first.tableName).toMatch(/^parley-[0-9a-f]{12}$/);
    expect(second.tableName).not.toBe(first.tableName);
    await ensureTable(localDynamoClient(first.endpoint), first.tableName);
    await ensureTable(localDynamoClient(second.endpoint), second.tableName);
    expect(await tables()).toEqual(expect.arrayContaining([first.tableName, second.tableName]));

    await first.close();
    expect(await tables()).not.toContain(first.tableName);
    expect(await tables()).toContain(second.tableName);
    await second.close();
    expect(await tables()).not.toContain(second.tableName);
  });

  it('keeps the base table name (and its data) with a data directory', async () => {
    const target = await startDynamoTarget({
      externalEndpoint: external.endpoint,
      dataDir: '/nonexistent-unused',
      baseTableName: 'parley',
    });
    await ensureTable(localDynamoClient(target.endpoint), target.tableName);
    await target.close();
    expect(target.tableName).toBe('parley');
    expect(await tables()).toContain('parley');
  });
});

describe("dynalite's cached table description", () => {
  it('follows the table: item requests fail once it is deleted and work again once it is re-created', async () => {
    const client = localDynamoClient(external.endpoint);
    const TableName = 'parley-cache-check';
    const Key = { pk: { S: 'p' }, sk: { S: 's' } };
    const tableReady = async () => {
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await ensureTable(client, TableName);
    await tableReady();
    await client.send(new PutItemCommand({ TableName, Item: { ...Key, v: { S: '1' } } }));
    expect((await client.send(new GetItemCommand({ TableName, Key }))).Item?.v).toEqual({ S: '1' });
    await client.send(new DeleteTableCommand({ TableName }));
    await expect(client.send(new GetItemCommand({ TableName, Key }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await ensureTable(client, TableName);
    await tableReady();
    expect((await client.send(new GetItemCommand({ TableName, Key }))).Item).toBeUndefined();
    await client.send(new DeleteTableCommand({ TableName }));
  });
});
