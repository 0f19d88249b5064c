import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CannedResponse } from '../../domain/canned-responses';
import type { CannedResponseStore, ShortcutClaim } from '../../ports/canned-response-store';
import { conditionalWrite, dynamo } from './errors';
import { keys } from './keys';

const RESPONSE_PREFIX = 'RESPONSE#';

/**
 * `CANNED` / `RESPONSE#<id>`: one response each; `CANNED` / `SHORTCUT#<scope>#<shortcut>`: who
 * holds a shortcut. One partition, read whole by a Query (no Scan).
 */
export class DynamoCannedResponseStore implements CannedResponseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<CannedResponse[]> {
    const responses: CannedResponse[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo('Query', () => this.db.send(this.responsesQuery(start)));
      for (const item of page.Items ?? []) responses.push(responseOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return responses;
  }

  async count(): Promise<number> {
    let total = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo('Query', () => this.db.send(this.responsesQuery(start, 'COUNT')));
      total += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return total;
  }

  async get(id: string): Promise<CannedResponse | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.cannedResponse(id), ConsistentRead: true })),
    );
    return result.Item ? responseOf(result.Item) : undefined;
  }

  async put(response: CannedResponse): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({ TableName: this.tableName, Item: { ...keys.cannedResponse(response.id), kind: 'canned-response', ...response } }),
      ),
    );
  }

  async delete(id: string): Promise<boolean> {
    const result = await dynamo('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.cannedResponse(id), ReturnValues: 'ALL_OLD' })),
    );
    return result.Attributes !== undefined;
  }

  async claimShortcut(
    scope: string,
    shortcut: string,
    ownerId: string,
    now: string,
  ): Promise<{ claimed: true } | { claimed: false; claim: ShortcutClaim }> {
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.cannedShortcut(scope, shortcut), kind: 'canned-shortcut', ownerId, claimedAt: now },
          ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
        }),
      ),
    );
    if (!conditionFailed) return { claimed: true };
    const held = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.cannedShortcut(scope, shortcut), ConsistentRead: true })),
    );
    // Released between the two requests: try once more.
    if (!held.Item) return this.claimShortcut(scope, shortcut, ownerId, now);
    return { claimed: false, claim: { ownerId: String(held.Item.ownerId), claimedAt: String(held.Item.claimedAt) } };
  }

  async takeOverShortcut(scope: string, shortcut: string, ownerId: string, staleOwnerId: string, now: string): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.cannedShortcut(scope, shortcut), kind: 'canned-shortcut', ownerId, claimedAt: now },
          ConditionExpression: 'ownerId = :stale',
          ExpressionAttributeValues: { ':stale': staleOwnerId },
        }),
      ),
    );
    return !conditionFailed;
  }

  async releaseShortcut(scope: string, shortcut: string, ownerId: string): Promise<void> {
    await conditionalWrite('DeleteItem', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.cannedShortcut(scope, shortcut),
          ConditionExpression: 'ownerId = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
        }),
      ),
    );
  }

  private responsesQuery(start: Record<string, unknown> | undefined, select?: 'COUNT') {
    return new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.cannedPartition, ':prefix': RESPONSE_PREFIX },
      ConsistentRead: true,
      ...(select ? { Select: select } : {}),
      ...(start ? { ExclusiveStartKey: start } : {}),
    });
  }
}

function responseOf(item: Record<string, unknown>): CannedResponse {
  return {
    id: String(item.id),
    shortcut: String(item.shortcut),
    title: String(item.title),
    text: String(item.text),
    ...(typeof item.skill === 'string' ? { skill: item.skill } : {}),
    updatedAt: String(item.updatedAt),
    updatedBy: String(item.updatedBy),
  };
}
