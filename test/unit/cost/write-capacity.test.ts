import { describe, expect, it } from 'vitest';
import {
  type IndexShape,
  type Item,
  indexWriteUnitsOf,
  itemBytes,
  refusedWriteUnitsOf,
  TABLE_INDEXES,
  valueBytes,
  writeUnitsOf,
  writtenKeysOf,
} from '../../../scripts/bench/write-capacity';

const S = (value: string) => ({ S: value });
const N = (value: string) => ({ N: value });

/** An index keyed on `gk`/`gs` that projects `shown` only. */
const INDEX: IndexShape = { indexName: 'test', partitionKey: 'gk', sortKey: 'gs', projection: { type: 'INCLUDE', attributes: ['shown'] } };

const base: Item = { pk: S('CONV#1'), sk: S('META') };
const listed: Item = { ...base, gk: S('tech'), gs: S('2026-12-02#1'), shown: S('queued'), hidden: N('1') };

describe('item sizes, as DynamoDB counts them for capacity', () => {
  it('counts names and UTF-8 values', () => {
    expect(itemBytes({ ab: S('héllo') })).toBe(2 + 6);
    expect(valueBytes({ BOOL: true })).toBe(1);
    expect(valueBytes({ NULL: true })).toBe(1);
  });

  it('counts a number by its significant digits', () => {
    expect(valueBytes(N('0'))).toBe(1);
    expect(valueBytes(N('7'))).toBe(2);
    expect(valueBytes(N('12345'))).toBe(4);
    expect(valueBytes(N('1200'))).toBe(valueBytes(N('12')));
    expect(valueBytes(N('-0.0012'))).toBe(2);
  });

  it('counts lists and maps with their overhead', () => {
    expect(valueBytes({ L: [S('ab'), N('1')] })).toBe(3 + (1 + 2) + (1 + 2));
    expect(valueBytes({ M: { a: S('xy') } })).toBe(3 + 1 + 1 + 2);
    expect(() => valueBytes({ X: 1 })).toThrow(/Not a DynamoDB attribute value/);
  });
});

describe('index writes, by the developer guide rules', () => {
  it('an item outside the index before and after costs none', () => {
    expect(indexWriteUnitsOf(base, { ...base, hidden: N('2') }, INDEX)).toBe(0);
  });

  it('an item entering the index costs one, leaving it one', () => {
    expect(indexWriteUnitsOf(undefined, listed, INDEX)).toBe(1);
    expect(indexWriteUnitsOf(base, listed, INDEX)).toBe(1);
    expect(indexWriteUnitsOf(listed, base, INDEX)).toBe(1);
    expect(indexWriteUnitsOf(listed, undefined, INDEX)).toBe(1);
  });

  it('a changed index key costs two: the old entry deleted, the new one put', () => {
    expect(indexWriteUnitsOf(listed, { ...listed, gs: S('2026-12-03#1') }, INDEX)).toBe(2);
    expect(indexWriteUnitsOf(listed, { ...listed, gk: S('sales') }, INDEX)).toBe(2);
  });

  it('a changed projected attribute costs one; an unprojected one none', () => {
    expect(indexWriteUnitsOf(listed, { ...listed, shown: S('assigned') }, INDEX)).toBe(1);
    expect(indexWriteUnitsOf(listed, { ...listed, hidden: N('2') }, INDEX)).toBe(0);
    expect(indexWriteUnitsOf(listed, { ...listed, added: S('x') }, INDEX)).toBe(0);
  });

  it('a KEYS_ONLY index ignores every attribute but the keys', () => {
    const keysOnly: IndexShape = { ...INDEX, projection: { type: 'KEYS_ONLY' } };
    expect(indexWriteUnitsOf(listed, { ...listed, shown: S('assigned') }, keysOnly)).toBe(0);
  });

  it('an index entry is priced by its size', () => {
    const big = { ...listed, shown: S('x'.repeat(1500)) };
    expect(indexWriteUnitsOf(undefined, big, INDEX)).toBe(2);
  });
});

describe('table write units', () => {
  it('prices the larger of the item before and after, at least one unit', () => {
    const small = { ...base, text: S('hi') };
    const large = { ...base, text: S('x'.repeat(3000)) };
    expect(writeUnitsOf(undefined, small, [])).toEqual({ writeUnits: 1, indexWriteUnits: 0 });
    expect(writeUnitsOf(large, small, [])).toEqual({ writeUnits: 3, indexWriteUnits: 0 });
    expect(writeUnitsOf(undefined, undefined, [])).toEqual({ writeUnits: 1, indexWriteUnits: 0 });
  });

  it("sums every index's writes", () => {
    expect(writeUnitsOf(base, listed, [INDEX, { ...INDEX, indexName: 'other' }])).toEqual({ writeUnits: 1, indexWriteUnits: 2 });
  });

  it('a refused condition costs the existing item, no index writes', () => {
    expect(refusedWriteUnitsOf(undefined)).toEqual({ writeUnits: 1, indexWriteUnits: 0 });
    expect(refusedWriteUnitsOf({ ...base, text: S('x'.repeat(2100)) })).toEqual({ writeUnits: 3, indexWriteUnits: 0 });
  });

  it("Parley's table: a queued conversation assigned leaves the queue and enters byAgent", () => {
    const queued: Item = {
      ...base,
      status: S('queued'),
      queueKey: S('tech'),
      queueSort: S('q'),
      statusKey: S('queued#1'),
      statusSort: S('1'),
    };
    const { queueKey: _queueKey, queueSort: _queueSort, ...rest } = queued;
    const assigned: Item = { ...rest, status: S('assigned'), agentKey: S('agent-1'), agentSort: S('O#1'), statusKey: S('assigned#1') };
    // queue: leaves (1); byAgent: enters (1); byStatus: key changed (2); byCustomer: absent.
    expect(writeUnitsOf(queued, assigned, TABLE_INDEXES).indexWriteUnits).toBe(4);
  });
});

describe('the items a write request touches', () => {
  it('reads the key of a put, an update, a delete and each item of a batch', () => {
    expect(writtenKeysOf('PutItem', { TableName: 't', Item: { ...base, text: S('x') } })).toEqual([{ tableName: 't', key: base }]);
    expect(writtenKeysOf('UpdateItem', { TableName: 't', Key: base })).toEqual([{ tableName: 't', key: base }]);
    expect(writtenKeysOf('DeleteItem', { TableName: 't', Key: base })).toEqual([{ tableName: 't', key: base }]);
    const other = { pk: S('SEARCH#all#w:hi'), sk: S('1') };
    expect(
      writtenKeysOf('BatchWriteItem', {
        RequestItems: { t: [{ PutRequest: { Item: { ...other, snippet: S('hi') } } }, { DeleteRequest: { Key: base } }] },
      }),
    ).toEqual([
      { tableName: 't', key: other },
      { tableName: 't', key: base },
    ]);
    expect(writtenKeysOf('Query', { TableName: 't' })).toEqual([]);
  });
});
