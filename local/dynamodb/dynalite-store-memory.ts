import { createRequire } from 'node:module';

/**
 * Two ways dynalite's store kept memory it no longer needed, each a few KB per local
 * connection and, for the first, per Query or Scan as long as the stack ran:
 *
 * - **Iterators never closed.** dynalite reads ranges through a stream over an abstract-level
 *   iterator and closes it with `iterator.return()`, which abstract-level 3 iterators do not
 *   have (they have `close()`); nor do they close at their natural end. Every Query and Scan
 *   left its iterator attached to the store, with its range bounds and (in memory) the whole
 *   tree as it was when the read began. Here each iterator the store makes gets a `return()`
 *   that closes it.
 * - **Pooled buffers kept (in memory).** memory-level stores each key and value as the Buffer
 *   its encoder made: under 4 KB, a slice of Node's shared 8 KB allocation pool, which keeps
 *   the whole slab alive. Here the in-memory store keeps an exactly-sized copy instead.
 *
 * What dynalite stores, reads and orders is unchanged: the same bytes, in Buffers, and each
 * read still runs to where dynalite stops it. A store on disk (LevelDB, `path`) copies into
 * LevelDB anyway, so only its iterators are changed.
 *
 * Installed on each store dynalite creates by dynalite-store-hooks.ts. Every record and read
 * goes through the root store: dynalite's table, item and index stores are key prefixes on it.
 */

interface PutOperation {
  readonly type: 'put';
  key: unknown;
  value: unknown;
}
interface DelOperation {
  readonly type: 'del';
  key: unknown;
}
type Operation = PutOperation | DelOperation;

interface Closable {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

type IteratorFactory = (options?: unknown) => Closable;

interface RootStore {
  _put(key: unknown, value: unknown, options: unknown): Promise<void>;
  _batch(operations: Operation[], options: unknown): Promise<void>;
  iterator: IteratorFactory;
  keys: IteratorFactory;
  values: IteratorFactory;
}

const require = createRequire(import.meta.url);

const ITERATOR_FACTORIES = ['iterator', 'keys', 'values'] as const;

function isRootStore(db: unknown): db is RootStore {
  const candidate = db as Partial<RootStore> | undefined;
  return (
    typeof candidate?._put === 'function' &&
    typeof candidate._batch === 'function' &&
    ITERATOR_FACTORIES.every((factory) => typeof candidate[factory] === 'function')
  );
}

function isInMemory(db: RootStore): boolean {
  const { MemoryLevel } = require('memory-level') as { MemoryLevel: abstract new (...args: never[]) => unknown };
  return db instanceof MemoryLevel;
}

/** A Buffer that owns exactly its bytes (never a slice of the shared pool); anything else as is. */
export function ownedCopy(value: unknown): unknown {
  if (!Buffer.isBuffer(value) || value.buffer.byteLength === value.length) return value;
  const copy = Buffer.allocUnsafeSlow(value.length);
  value.copy(copy);
  return copy;
}

function closeIteratorsOnReturn(db: RootStore): void {
  for (const factory of ITERATOR_FACTORIES) {
    const make = db[factory].bind(db);
    db[factory] = (options) => {
      const iterator = make(options);
      iterator.return ??= () => iterator.close();
      return iterator;
    };
  }
}

function storeOwnedCopies(db: RootStore): void {
  const put = db._put.bind(db);
  const batch = db._batch.bind(db);
  db._put = (key, value, options) => put(ownedCopy(key), ownedCopy(value), options);
  db._batch = (operations, options) =>
    batch(
      operations.map((operation) =>
        operation.type === 'put'
          ? { ...operation, key: ownedCopy(operation.key), value: ownedCopy(operation.value) }
          : { ...operation, key: ownedCopy(operation.key) },
      ),
      options,
    );
}

/**
 * Applies both fixes to one dynalite store (exported for tests): what it changed, or nothing
 * when the store's shape is not dynalite 4's.
 */
export function keepStoreLean(store: unknown): { readonly closesIterators: boolean; readonly ownsBuffers: boolean } {
  const db = (store as { db?: unknown } | undefined)?.db;
  if (!isRootStore(db)) return { closesIterators: false, ownsBuffers: false };
  closeIteratorsOnReturn(db);
  const inMemory = isInMemory(db);
  if (inMemory) storeOwnedCopies(db);
  return { closesIterators: true, ownsBuffers: inMemory };
}
