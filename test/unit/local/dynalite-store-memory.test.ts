import { once } from 'node:events';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withEachDynaliteStore } from '../../../local/dynamodb/dynalite-store-hooks';
import { keepStoreLean, ownedCopy } from '../../../local/dynamodb/dynalite-store-memory';

const require = createRequire(import.meta.url);

interface Store {
  db: {
    iterator(options: object): AsyncIterable<[Buffer, Buffer]>;
    attachResource(resource: unknown): void;
    detachResource(resource: unknown): void;
    close(): Promise<void>;
  };
  tableDb: {
    put(key: string, value: unknown, callback: (error?: unknown) => void): void;
    batch(operations: object[], callback: (error?: unknown) => void): void;
  };
  getItemDb(name: string): { createValueStream(options: object): Readable; createKeyStream(options: object): Readable };
}

const createStore = () => (require('dynalite/db') as { create(options: object): Store }).create({});
const done = (resolve: () => void, reject: (error: unknown) => void) => (error?: unknown) => (error ? reject(error) : resolve());
const put = (store: Store, key: string, value: unknown) =>
  new Promise<void>((resolve, reject) => store.tableDb.put(key, value, done(resolve, reject)));

/** Every stored key and value, as the in-memory store holds them. */
async function storedBuffers(store: Store): Promise<Buffer[]> {
  const buffers: Buffer[] = [];
  for await (const [key, value] of store.db.iterator({ keyEncoding: 'buffer', valueEncoding: 'buffer' })) buffers.push(key, value);
  return buffers;
}

/** A slice of Node's shared pool shares an 8 KB ArrayBuffer; an owned Buffer's ArrayBuffer is its own size. */
const owns = (buffer: Buffer) => buffer.buffer.byteLength === buffer.length;

/** Counts the store's open resources (its iterators, here) from now on. */
function openResources(store: Store): { readonly count: number } {
  const open = new Set<unknown>();
  const attach = store.db.attachResource.bind(store.db);
  const detach = store.db.detachResource.bind(store.db);
  store.db.attachResource = (resource) => {
    open.add(resource);
    attach(resource);
  };
  store.db.detachResource = (resource) => {
    open.delete(resource);
    detach(resource);
  };
  return {
    get count() {
      return open.size;
    },
  };
}

/** Items of a dynalite item store, as dynalite's Query reads them: a value stream over a range. */
async function itemsStore(store: Store) {
  const items = store.getItemDb('table');
  for (const key of ['a', 'b', 'c']) {
    await new Promise<void>((resolve, reject) =>
      (items as unknown as Store['tableDb']).put(key, { key: { S: key } }, done(resolve, reject)),
    );
  }
  return items;
}

describe('dynalite store: memory kept lean', () => {
  it('closes the iterator of a range read that runs to its end', async () => {
    const store = withEachDynaliteStore(createStore, keepStoreLean);
    const items = await itemsStore(store);
    const open = openResources(store);
    const stream = items.createValueStream({});
    const read: unknown[] = [];
    for await (const item of stream) read.push(item);
    if (!stream.closed) await once(stream, 'close');
    expect(read).toHaveLength(3);
    expect(open.count).toBe(0);
    await store.db.close();
  });

  it('closes the iterator of a range read stopped early, as dynalite stops a Query at its Limit', async () => {
    const store = withEachDynaliteStore(createStore, keepStoreLean);
    const items = await itemsStore(store);
    const open = openResources(store);
    const keys = items.createKeyStream({});
    const values = items.createValueStream({});
    await Promise.all([once(keys, 'data'), once(values, 'data')]);
    expect(open.count).toBe(2);
    keys.destroy();
    values.destroy();
    await Promise.all([once(keys, 'close'), once(values, 'close')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(open.count).toBe(0);
    await store.db.close();
  });

  it('keeps an exactly-sized copy of every key and value it stores, put or batched', async () => {
    const store = withEachDynaliteStore(createStore, keepStoreLean);
    await put(store, 'first', { TableName: 'first' });
    await new Promise<void>((resolve, reject) =>
      store.tableDb.batch(
        [
          { type: 'put', key: 'second', value: { TableName: 'second', Status: 'ACTIVE' } },
          { type: 'put', key: 'third', value: { TableName: 'third' } },
          { type: 'del', key: 'first' },
        ],
        done(resolve, reject),
      ),
    );
    const stored = await storedBuffers(store);
    expect(stored.map((buffer) => buffer.toString())).toEqual([
      expect.stringMatching(/second$/),
      JSON.stringify({ TableName: 'second', Status: 'ACTIVE' }),
      expect.stringMatching(/third$/),
      JSON.stringify({ TableName: 'third' }),
    ]);
    expect(stored.filter((buffer) => !owns(buffer))).toEqual([]);
    await store.db.close();
  });

  it('copies pooled slices only, and leaves other values as they are', () => {
    const pooled = Buffer.from('a short key');
    expect(owns(pooled)).toBe(false);
    const copy = ownedCopy(pooled) as Buffer;
    expect(owns(copy)).toBe(true);
    expect(copy.equals(pooled)).toBe(true);
    const owned = Buffer.allocUnsafeSlow(4);
    expect(ownedCopy(owned)).toBe(owned);
    expect(ownedCopy('text')).toBe('text');
  });

  it('leaves a store of another shape alone', () => {
    expect(keepStoreLean({ db: { _put: async () => {}, _batch: async () => {} } })).toEqual({ closesIterators: false, ownsBuffers: false });
    expect(keepStoreLean(undefined)).toEqual({ closesIterators: false, ownsBuffers: false });
  });
});
