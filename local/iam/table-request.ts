import { INDEXES, TABLE_KEYS } from '../../functions/adapters/dynamodb/table-schema';
import type { TableRequest } from '../../functions/table-access';

/** A DynamoDB JSON request body (the wire form: attribute values as `{S: "..."}`). */
type Body = Record<string, unknown>;

const TARGET_PREFIX = 'DynamoDB_20120810.';
const utf8 = new TextDecoder();

/**
 * The operation (from the `X-Amz-Target` header) and JSON body of a DynamoDB client's HTTP
 * request, as middleware from the build step on sees it; undefined before it is built.
 */
export function wireRequestOf(request: unknown): { operation: string; body: Body } | undefined {
  const { headers, body } = request as { headers?: Record<string, string>; body?: unknown };
  if (headers === undefined) return undefined;
  const target = headers['x-amz-target'] ?? '';
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  // The SDK hands the serialized body over as a string or as bytes.
  const text = typeof body === 'string' ? body : body instanceof Uint8Array ? utf8.decode(body) : '';
  return { operation, body: JSON.parse(text || '{}') as Body };
}
type AttributeMap = Record<string, { S?: string } | undefined>;

const partitionOf = (item: unknown): string[] => {
  const value = (item as AttributeMap | undefined)?.[TABLE_KEYS.partitionKey]?.S;
  return value === undefined ? [] : [value];
};

/** The attribute a Query's key condition must pin: the table's or the index's partition key. */
function partitionAttribute(indexName: string | undefined): string | undefined {
  if (indexName === undefined) return TABLE_KEYS.partitionKey;
  return Object.values(INDEXES).find((index) => index.indexName === indexName)?.partitionKey;
}

function queryPartitionKeys(body: Body): string[] {
  const attribute = partitionAttribute(body.IndexName as string | undefined);
  if (attribute === undefined) return [];
  const legacy = (body.KeyConditions as Record<string, { AttributeValueList?: { S?: string }[] }> | undefined)?.[attribute];
  const legacyValue = legacy?.AttributeValueList?.[0]?.S;
  if (legacyValue !== undefined) return [legacyValue];
  const expression = typeof body.KeyConditionExpression === 'string' ? body.KeyConditionExpression : '';
  const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (body.ExpressionAttributeValues ?? {}) as AttributeMap;
  for (const [, name, placeholder] of expression.matchAll(/(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)/g)) {
    const resolved = name!.startsWith('#') ? names[name!] : name;
    const value = values[placeholder!]?.S;
    if (resolved === attribute && value !== undefined) return [value];
  }
  return [];
}

/**
 * The requests IAM would authorize for one DynamoDB call: the operation (from the
 * `X-Amz-Target` header), the index and the partition keys it touches. A batch yields one
 * request per item so that each key is checked; an operation not understood here (Scan,
 * transactions, table management) yields a request without keys, which no grant allows.
 */
export function tableRequestsOf(operation: string, body: Body): TableRequest[] {
  switch (operation) {
    case 'GetItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ action: operation, partitionKeys: partitionOf(body.Key) }];
    case 'PutItem':
      return [{ action: operation, partitionKeys: partitionOf(body.Item) }];
    case 'Query': {
      const index = body.IndexName as string | undefined;
      return [{ action: operation, ...(index === undefined ? {} : { index }), partitionKeys: queryPartitionKeys(body) }];
    }
    case 'BatchGetItem':
      return Object.values((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).flatMap((table) =>
        (table.Keys ?? []).map((key) => ({ action: operation, partitionKeys: partitionOf(key) })),
      );
    case 'BatchWriteItem':
      return Object.values(
        (body.RequestItems ?? {}) as Record<string, { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]>,
      ).flatMap((writes) =>
        writes.map((write) => ({ action: operation, partitionKeys: partitionOf(write.PutRequest?.Item ?? write.DeleteRequest?.Key) })),
      );
    default:
      return [{ action: operation, partitionKeys: [] }];
  }
}
