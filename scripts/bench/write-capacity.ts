/**
 * DynamoDB write capacity of one write, from the item before and after it: what `npm run bench`
 * measures per protocol action (dynalite reports no index writes, and its table units ignore
 * the rules below). Pure; unit-tested in test/unit/cost/write-capacity.test.ts. The rules are
 * DynamoDB's, as its developer guide states them:
 * - a write consumes one unit per started KB of the larger of the item before and after it (a
 *   delete: of the item deleted); a conditional write whose condition fails still consumes
 *   the existing item's units, at least one;
 * - per global secondary index: an item that enters the index costs one index write, one that
 *   leaves it one, a change of its index key two (delete and put), a change of a projected
 *   attribute one, and anything else none; each index write is priced by the size of the
 *   index entry (the index keys, the table keys and the projected attributes).
 */
import { INDEX_PROJECTIONS, INDEXES, type IndexProjection, TABLE_KEYS } from '../../functions/adapters/dynamodb/table-schema';

/** A wire-form attribute value (`{ S: "..." }`, `{ N: "1" }`, `{ M: {...} }`...). */
export type AttributeValue = Readonly<Record<string, unknown>>;
export type Item = Readonly<Record<string, AttributeValue>>;

export interface WriteUnits {
  /** The table's write units. */
  readonly writeUnits: number;
  /** The write units of the index entries the write put or deleted. */
  readonly indexWriteUnits: number;
}

export interface IndexShape {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection: IndexProjection;
}

/** Parley's table's indexes (functions/adapters/dynamodb/table-schema.ts). */
export const TABLE_INDEXES: readonly IndexShape[] = Object.entries(INDEXES).map(([name, index]) => ({
  ...index,
  projection: INDEX_PROJECTIONS[name as keyof typeof INDEXES],
}));

const KB = 1024;
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's stored size: about one byte per two significant digits, plus one. */
function numberBytes(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return digits.length === 0 ? 1 : Math.ceil(digits.length / 2) + 1;
}

/** An attribute value's size in bytes, as DynamoDB counts it for capacity. */
export function valueBytes(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return utf8(inner as string);
    case 'N':
      return numberBytes(inner as string);
    case 'B':
      return typeof inner === 'string' ? Buffer.from(inner, 'base64').length : (inner as Uint8Array).length;
    case 'SS':
      return (inner as string[]).reduce((sum, s) => sum + utf8(s), 0);
    case 'NS':
      return (inner as string[]).reduce((sum, n) => sum + numberBytes(n), 0);
    case 'BS':
      return (inner as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
    case 'NULL':
    case 'BOOL':
      return 1;
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((sum, element) => sum + 1 + valueBytes(element), 0);
    case 'M':
      return 3 + Object.entries(inner as Item).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0);
    default:
      throw new TypeError(`Not a DynamoDB attribute value: ${JSON.stringify(value)}`);
  }
}

/** An item's size: each attribute's name and value. */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

/** No capacity: what adding units starts from. */
export const NO_UNITS: WriteUnits = { writeUnits: 0, indexWriteUnits: 0 };

/** Two writes' units together. */
export function addUnits(a: WriteUnits, b: WriteUnits): WriteUnits {
  return { writeUnits: a.writeUnits + b.writeUnits, indexWriteUnits: a.indexWriteUnits + b.indexWriteUnits };
}

const unitsOf = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));

const sameValue = (a: AttributeValue | undefined, b: AttributeValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** The index entry an item makes in an index, or undefined when the item lacks the index's keys. */
export function indexEntry(item: Item | undefined, index: IndexShape): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  const attributes = [
    index.partitionKey,
    index.sortKey,
    TABLE_KEYS.partitionKey,
    TABLE_KEYS.sortKey,
    ...(index.projection.type === 'INCLUDE' ? index.projection.attributes : []),
  ];
  return Object.fromEntries(attributes.filter((name) => item[name] !== undefined).map((name) => [name, item[name]!]));
}

/** Index write units of one index for a write that turned `before` into `after` (either may be absent). */
export function indexWriteUnitsOf(before: Item | undefined, after: Item | undefined, index: IndexShape): number {
  const old = indexEntry(before, index);
  const next = indexEntry(after, index);
  if (!old && !next) return 0;
  if (!old) return unitsOf(itemBytes(next!));
  if (!next) return unitsOf(itemBytes(old));
  const keyChanged = !sameValue(old[index.partitionKey], next[index.partitionKey]) || !sameValue(old[index.sortKey], next[index.sortKey]);
  if (keyChanged) return unitsOf(itemBytes(old)) + unitsOf(itemBytes(next));
  const names = new Set([...Object.keys(old), ...Object.keys(next)]);
  return [...names].every((name) => sameValue(old[name], next[name])) ? 0 : unitsOf(itemBytes(next));
}

/**
 * The capacity a successful write used: `before` and `after` are the item as a consistent read
 * saw it just before and just after (absent: no item).
 */
export function writeUnitsOf(
  before: Item | undefined,
  after: Item | undefined,
  indexes: readonly IndexShape[] = TABLE_INDEXES,
): WriteUnits {
  const sizes = [before, after].filter((item): item is Item => item !== undefined).map(itemBytes);
  return {
    writeUnits: unitsOf(Math.max(0, ...sizes)),
    indexWriteUnits: indexes.reduce((sum, index) => sum + indexWriteUnitsOf(before, after, index), 0),
  };
}

/** A conditional write refused by its condition: the existing item's units, no index writes. */
export function refusedWriteUnitsOf(existing: Item | undefined): WriteUnits {
  return { writeUnits: unitsOf(existing ? itemBytes(existing) : 0), indexWriteUnits: 0 };
}

/** One item a write request touches: its table and key. */
export interface WrittenKey {
  readonly tableName: string;
  readonly key: Item;
}

function keyOf(item: Item): Item {
  return { [TABLE_KEYS.partitionKey]: item[TABLE_KEYS.partitionKey]!, [TABLE_KEYS.sortKey]: item[TABLE_KEYS.sortKey]! };
}

/** The write operations metered, by their X-Amz-Target name. */
export const METERED_WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const;

/** The items a write request (wire body) touches; empty for any other operation. */
export function writtenKeysOf(operation: string, body: Readonly<Record<string, unknown>>): WrittenKey[] {
  const tableName = body.TableName as string;
  switch (operation) {
    case 'PutItem':
      return [{ tableName, key: keyOf(body.Item as Item) }];
    case 'UpdateItem':
    case 'DeleteItem':
      return [{ tableName, key: body.Key as Item }];
    case 'BatchWriteItem':
      return Object.entries(body.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>).flatMap(
        ([table, writes]) =>
          writes.map((write) => ({ tableName: table, key: write.PutRequest ? keyOf(write.PutRequest.Item) : write.DeleteRequest!.Key })),
      );
    default:
      return [];
  }
}
