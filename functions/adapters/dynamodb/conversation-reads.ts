import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStoreError, dynamo } from './errors';

type Item = Record<string, unknown>;
/** BatchGetItem's own cap on keys per request. */
const BATCH_GET_MAX = 100;
const BATCH_GET_ATTEMPTS = 5;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The items behind index keys (a KEYS_ONLY or INCLUDE index's Query), read by BatchGetItem
 * with strong consistency and returned in the keys' order; an item deleted meanwhile is left
 * out. The indexes hold no per-message attribute (table-schema.ts INDEX_PROJECTIONS), so a
 * listing reads the conversations themselves: one more request per 100, never a stale one.
 */
export async function readConversationItems(db: DynamoDBDocumentClient, tableName: string, indexItems: readonly Item[]): Promise<Item[]> {
  const wanted = [...new Set(indexItems.map((item) => String(item.pk)))];
  const items = await batchGetItems(
    db,
    tableName,
    wanted.map((pk) => ({ pk, sk: 'META' })),
  );
  const found = new Map(items.map((item) => [String(item.pk), item]));
  return wanted.flatMap((pk) => {
    const item = found.get(pk);
    return item ? [item] : [];
  });
}

/** Items by key with strong consistency, BatchGetItem at 100 keys a request; absent items are left out, in no set order. */
export async function batchGetItems(db: DynamoDBDocumentClient, tableName: string, allKeys: readonly Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < allKeys.length; start += BATCH_GET_MAX) {
    let pending: Item[] = allKeys.slice(start, start + BATCH_GET_MAX);
    // BatchGetItem may return part of the batch (throttling, 16 MB): ask again for the rest, backing off.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_GET_ATTEMPTS) throw new DynamoStoreError('DynamoDB BatchGetItem left keys unprocessed');
      if (attempt > 0) await pause(50 * 2 ** attempt);
      const request = { [tableName]: { Keys: pending, ConsistentRead: true } };
      const result = await dynamo('BatchGetItem', () => db.send(new BatchGetCommand({ RequestItems: request })));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}
