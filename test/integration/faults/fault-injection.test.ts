import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoConnectionStore } from '../../../functions/adapters/dynamodb/connection-store';
import { localDynamoClient } from '../../../local/dynamodb/dynalite-server';
import { startLocalStack, type LocalStack } from '../../../local/stack';
import { RawClient, getJson, postJson } from '../../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../../support/setup';

let stack: LocalStack;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, faults: {}, faultSeed: 9, env: { CONNECTION_TTL_SECONDS: '2' } });
}, STACK_START_MS);
afterAll(async () => {
  await stack?.stop();
});

async function customer(): Promise<{ client: RawClient; userId: string }> {
  const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Faulty' });
  const client = await RawClient.connect(stack.wsUrl, guest.body.token as string);
  client.send({ action: 'sync' });
  await client.nextOfType('synced');
  return { client, userId: guest.body.user.id as string };
}

const management = () => new ApiGatewayManagementApiClient({ endpoint: stack.callbackUrl, region: 'us-east-1', credentials });
const connectionStore = () =>
  new DynamoConnectionStore(DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb)), stack.tableName);

describe('fault injection in the local stack', () => {
  it('is controlled at /_local/faults, refusing bad settings', async () => {
    const bad = await postJson(`${stack.httpUrl}/_local/faults`, { postGone: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/probability/);
    const set = await postJson(`${stack.httpUrl}/_local/faults`, { sqsDuplicate: 0.5 });
    expect(set.status).toBe(200);
    expect((await getJson(`${stack.httpUrl}/_local/faults`)).body.settings.sqsDuplicate).toBe(0.5);
    stack.faults!.update({ sqsDuplicate: 0 });
  });

  it('a 410 from the management API is a dead connection: it is cut', async () => {
    const { client } = await customer();
    const [connectionId] = stack.gateway.connectionIds();
    stack.faults!.update({ postGone: 1 });
    try {
      await expect(
        management().send(new PostToConnectionCommand({ ConnectionId: connectionId!, Data: new TextEncoder().encode('{}') })),
      ).rejects.toBeInstanceOf(GoneException);
    } finally {
      stack.faults!.update({ postGone: 0 });
    }
    await expect(client.next(() => false, STEP_MS)).rejects.toThrow(/closed/);
  });

  it(
    'the SDK itself retries LimitExceededException (3 attempts) and DynamoDB throttling (4 attempts)',
    async () => {
      await customer();
      const [connectionId] = stack.gateway.connectionIds();
      stack.faults!.resetCounts();
      stack.faults!.update({ postLimitExceeded: 1, dynamoThrottle: 1 });
      try {
        const post = management().send(new PostToConnectionCommand({ ConnectionId: connectionId!, Data: new TextEncoder().encode('{}') }));
        await expect(post).rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { attempts: 3 } });
        const dynamo = new DynamoDBClient({ endpoint: stack.wiring().config.AWS_ENDPOINT_URL_DYNAMODB!, region: 'us-east-1', credentials });
        const error = await dynamo.send(new DescribeTableCommand({ TableName: stack.tableName })).catch((caught: unknown) => caught);
        // This SDK version's DynamoDB client defaults to 4 attempts (measured: ~5 s of backoff in all).
        expect(error).toMatchObject({ $metadata: { attempts: 4, httpStatusCode: 400 } });
        expect(['ThrottlingException', 'ProvisionedThroughputExceededException']).toContain((error as Error).name);
      } finally {
        stack.faults!.update({ postLimitExceeded: 0, dynamoThrottle: 0 });
      }
      expect(stack.faults!.counts()).toMatchObject({ postsLimitExceeded: 3, dynamoThrottled: 4 });
    },
    budget(2 + 3 + 4, 10_000),
  ); // a connect+sync, 3 posts, 4 DynamoDB attempts, and the SDKs' backoff (about 5 s)

  it('without $disconnect the connection record lingers until its TTL, and then no longer counts', async () => {
    stack.faults!.update({ dropDisconnect: 1 });
    // The record's TTL (2 s) counts from the connect, somewhere between these two instants;
    // reading "as of" them rather than the clock keeps a slow machine from crossing the TTL.
    const nowSeconds = () => Math.floor(Date.now() / 1000);
    const before = nowSeconds();
    const { client, userId } = await customer();
    const after = nowSeconds();
    const [connectionId] = stack.gateway.connectionIds().slice(-1);
    stack.gateway.kill(connectionId!);
    await expect(client.next(() => false, STEP_MS)).rejects.toThrow(/closed/);
    stack.faults!.update({ dropDisconnect: 0 });
    const store = connectionStore();
    expect((await store.listForUser(userId, before)).map((c) => c.connectionId)).toEqual([connectionId]);
    expect(await store.listForUser(userId, after + 3)).toEqual([]);
  });
});
