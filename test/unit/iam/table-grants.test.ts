import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { isTableRequestAllowed, keyPatternMatches, on, queryIndex, type TableAccess } from '../../../functions/table-access';
import { currentEntry, runAsEntry } from '../../../local/iam/entry-scope';
import { enforceTableGrants, LocalAccessDeniedError } from '../../../local/iam/table-grant-checker';
import { tableRequestsOf } from '../../../local/iam/table-request';

describe('key patterns (IAM StringLike)', () => {
  it('matches * as any run, ? as one character, everything else literally', () => {
    expect(keyPatternMatches('CONV#*', 'CONV#01H')).toBe(true);
    expect(keyPatternMatches('CONV#*', 'CONV#')).toBe(true);
    expect(keyPatternMatches('CONV#*', 'USER#x')).toBe(false);
    expect(keyPatternMatches('ROSTER', 'ROSTER')).toBe(true);
    expect(keyPatternMatches('ROSTER', 'ROSTERS')).toBe(false);
    expect(keyPatternMatches('A?C', 'ABC')).toBe(true);
    expect(keyPatternMatches('A?C', 'AC')).toBe(false);
    expect(keyPatternMatches('a.b', 'axb')).toBe(false);
    expect(keyPatternMatches('guest:*', 'GUEST:x')).toBe(false);
  });
});

describe('what a DynamoDB request touches', () => {
  it('reads the partition key of item requests, table and index queries, and batches', () => {
    expect(tableRequestsOf('GetItem', { Key: { pk: { S: 'AGENT#a' }, sk: { S: 'PROFILE' } } })).toEqual([
      { action: 'GetItem', partitionKeys: ['AGENT#a'] },
    ]);
    expect(tableRequestsOf('PutItem', { Item: { pk: { S: 'CONV#1' }, sk: { S: 'META' } } })[0]?.partitionKeys).toEqual(['CONV#1']);
    expect(
      tableRequestsOf('Query', {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': { S: 'CONV#1' }, ':from': { S: 'MSG#1' }, ':to': { S: 'MSG#9' } },
      }),
    ).toEqual([{ action: 'Query', partitionKeys: ['CONV#1'] }]);
    expect(
      tableRequestsOf('Query', {
        IndexName: 'queue',
        KeyConditionExpression: '#sort < :before AND #key = :skill',
        ExpressionAttributeNames: { '#key': 'queueKey', '#sort': 'queueSort' },
        ExpressionAttributeValues: { ':skill': { S: 'billing' }, ':before': { S: 'x' } },
      }),
    ).toEqual([{ action: 'Query', index: 'queue', partitionKeys: ['billing'] }]);
    expect(
      tableRequestsOf('BatchGetItem', { RequestItems: { t: { Keys: [{ pk: { S: 'CONV#1' } }, { pk: { S: 'AGENT#2' } }] } } }).map(
        (request) => request.partitionKeys[0],
      ),
    ).toEqual(['CONV#1', 'AGENT#2']);
  });

  it('gives a Scan or a transaction no keys, so no grant allows it', () => {
    const access: TableAccess = [on(['*'], 'GetItem', 'Query', 'PutItem')];
    for (const operation of ['Scan', 'TransactWriteItems', 'DeleteTable']) {
      const [request] = tableRequestsOf(operation, {});
      expect(isTableRequestAllowed(access, request!), operation).toBe(false);
    }
  });
});

describe('the local stack refuses requests outside an entry point’s grants', () => {
  const access: TableAccess = [on(['CONV#*'], 'GetItem', 'Query'), queryIndex('byCustomer', ['guest:*'])];
  // Nothing listens on port 9: a request that passes the check fails to connect instead.
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const denied: LocalAccessDeniedError[] = [];
  enforceTableGrants(client, { currentEntry, accessOf: () => access, onDenied: (error) => denied.push(error) });
  const documents = DynamoDBDocumentClient.from(client);
  const refusal = (work: () => Promise<unknown>) =>
    runAsEntry('typing', work).then(
      () => undefined,
      (error: unknown) => error,
    );

  it('with AccessDeniedException for another partition, another action, another index or a Scan', async () => {
    const attempts = [
      () => documents.send(new GetCommand({ TableName: 't', Key: { pk: 'CREDENTIAL#admin', sk: 'PASSWORD' } })),
      () => documents.send(new PutCommand({ TableName: 't', Item: { pk: 'CONV#1', sk: 'META' } })),
      () =>
        documents.send(
          new QueryCommand({
            TableName: 't',
            IndexName: 'byAgent',
            KeyConditionExpression: 'agentKey = :a',
            ExpressionAttributeValues: { ':a': 'agent-1' },
          }),
        ),
      () => documents.send(new ScanCommand({ TableName: 't' })),
    ];
    for (const attempt of attempts) {
      const error = await refusal(attempt);
      expect(error).toBeInstanceOf(LocalAccessDeniedError);
      expect((error as Error).name).toBe('AccessDeniedException');
    }
    expect(denied.map((error) => `${error.entryName} ${error.request.action}`)).toEqual([
      'typing GetItem',
      'typing PutItem',
      'typing Query',
      'typing Scan',
    ]);
  });

  it('lets requests inside the grants through (they reach the network), and does not check outside invocations', async () => {
    const allowed = await refusal(() =>
      documents.send(
        new QueryCommand({
          TableName: 't',
          IndexName: 'byCustomer',
          KeyConditionExpression: 'customerKey = :c',
          ExpressionAttributeValues: { ':c': 'guest:1' },
        }),
      ),
    );
    expect(allowed).not.toBeInstanceOf(LocalAccessDeniedError);
    expect(allowed).toBeInstanceOf(Error);
    const outside = await documents
      .send(new GetCommand({ TableName: 't', Key: { pk: 'CREDENTIAL#x', sk: 'PASSWORD' } }))
      .catch((e: unknown) => e);
    expect(outside).not.toBeInstanceOf(LocalAccessDeniedError);
  });
});
