import { describe, expect, it } from 'vitest';
import { cacheTableDescriptions } from '../../../local/dynamodb/dynalite-table-cache';

type Callback = (error: unknown, table?: unknown) => void;

/** A dynalite store's table part: descriptions as the store would decode them, each read a new object. */
function fakeStore(initial: Record<string, { TableStatus: string }>) {
  const saved = new Map(Object.entries(initial).map(([name, table]) => [name, JSON.stringify(table)]));
  const reads: string[] = [];
  const pending: Array<() => void> = [];
  const store = {
    tableDb: {
      get: (_key: string, _callback: Callback) => {},
      put: (key: string, value: unknown, callback?: () => void) => {
        saved.set(key, JSON.stringify(value));
        callback?.();
      },
      del: (key: string, callback?: () => void) => {
        saved.delete(key);
        callback?.();
      },
      batch: (_operations: unknown[], callback?: () => void) => callback?.(),
    },
    getTable(name: string, checkStatus: boolean | Callback, callback?: Callback) {
      const done = (typeof checkStatus === 'function' ? checkStatus : callback) as Callback;
      reads.push(name);
      const text = saved.get(name);
      // Answered when the test says so, as the store answers on a later turn.
      pending.push(() => (text ? done(null, JSON.parse(text)) : done(new Error('NotFoundError'))));
    },
  };
  const answer = () => {
    for (const next of pending.splice(0)) next();
  };
  return { store, reads, answer };
}

function read(store: { getTable: (...args: never[]) => void }, ...args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, table) => (error ? reject(error) : resolve(table));
    (store.getTable as (...a: unknown[]) => void)(...args, callback);
  });
}

describe("dynalite's table descriptions, cached for item requests", () => {
  it('reads the store once for item requests on an ACTIVE table', async () => {
    const { store, reads, answer } = fakeStore({ parley: { TableStatus: 'ACTIVE' } });
    expect(cacheTableDescriptions(store)).toBe(true);
    const first = read(store, 'parley');
    answer();
    expect(await first).toEqual({ TableStatus: 'ACTIVE' });
    expect(await read(store, 'parley')).toEqual({ TableStatus: 'ACTIVE' });
    expect(reads).toEqual(['parley']);
  });

  it('reads the store again after any write of the table records', async () => {
    for (const write of ['put', 'del', 'batch'] as const) {
      const { store, reads, answer } = fakeStore({ parley: { TableStatus: 'ACTIVE' } });
      cacheTableDescriptions(store);
      const first = read(store, 'parley');
      answer();
      await first;
      if (write === 'put') store.tableDb.put('parley', { TableStatus: 'DELETING' });
      else if (write === 'del') store.tableDb.del('parley');
      else store.tableDb.batch([]);
      const second = read(store, 'parley').catch((error: Error) => error.message);
      answer();
      expect(await second).toEqual(
        write === 'put' ? { TableStatus: 'DELETING' } : write === 'del' ? 'NotFoundError' : { TableStatus: 'ACTIVE' },
      );
      expect(reads).toEqual(['parley', 'parley']);
    }
  });

  it('does not cache a table that is not ACTIVE, nor what a read got while a write happened', async () => {
    const { store, reads, answer } = fakeStore({ creating: { TableStatus: 'CREATING' }, parley: { TableStatus: 'ACTIVE' } });
    cacheTableDescriptions(store);
    const creating = read(store, 'creating');
    const racing = read(store, 'parley');
    store.tableDb.put('other', { TableStatus: 'ACTIVE' });
    answer();
    await Promise.all([creating, racing]);
    const again = Promise.all([read(store, 'creating'), read(store, 'parley')]);
    answer();
    await again;
    expect(reads).toEqual(['creating', 'parley', 'creating', 'parley']);
  });

  it('leaves requests without the status check (describe, update, delete table) to the store, each with an object of its own', async () => {
    const { store, reads, answer } = fakeStore({ parley: { TableStatus: 'ACTIVE' } });
    cacheTableDescriptions(store);
    const first = read(store, 'parley');
    answer();
    const cached = await first;
    const own = read(store, 'parley', false);
    answer();
    expect(await own).toEqual(cached);
    expect(await own).not.toBe(cached);
    expect(reads).toEqual(['parley', 'parley']);
  });

  it('leaves a store of another shape alone', () => {
    expect(cacheTableDescriptions({ getTable: () => {} })).toBe(false);
    expect(cacheTableDescriptions(undefined)).toBe(false);
  });
});
