/**
 * dynalite reads the table's description from its store (a JSON decode of the whole
 * description, indexes included, and a trip through the level promise chain) at the start of
 * every item request: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan and the batches.
 * On the local stack that is a large share of its work per request, for a description that
 * only CreateTable, UpdateTable and DeleteTable change.
 *
 * This keeps the last ACTIVE description per table in memory for those item requests and drops
 * it whenever the store's table records are written (put, del, batch: every change of status or
 * definition goes through one of them). What dynalite answers is unchanged:
 * - Item requests (which call `getTable(name, cb)`, with the status check) read the table and
 *   never change it; a table that is not ACTIVE is not cached, so CREATING and DELETING still
 *   answer ResourceNotFound as before.
 * - DescribeTable, UpdateTable, DeleteTable and the tag requests (`getTable(name, false, cb)`)
 *   read the store as before and get an object of their own (UpdateTable and DeleteTable
 *   change it before writing it back).
 * - The callback still comes on a later turn (setImmediate), as from the store.
 *
 * Installed on each store dynalite creates by dynalite-store-hooks.ts. It checks the store's
 * shape and leaves a store it does not recognise alone.
 */

type Callback = (error: unknown, table?: unknown) => void;

interface TableRecords {
  get(key: string, callback: Callback): void;
  put(key: string, value: unknown, callback?: (error?: unknown) => void): unknown;
  del(key: string, callback?: (error?: unknown) => void): unknown;
  batch(operations: unknown[], callback?: (error?: unknown) => void): unknown;
}

interface DynaliteStore {
  tableDb: TableRecords;
  getTable(name: string, checkStatus: boolean | Callback, callback?: Callback): void;
}

function isStore(value: unknown): value is DynaliteStore {
  const store = value as Partial<DynaliteStore> | undefined;
  return (
    typeof store?.getTable === 'function' &&
    typeof store.tableDb?.put === 'function' &&
    typeof store.tableDb.del === 'function' &&
    typeof store.tableDb.batch === 'function'
  );
}

/** Installs the cache on one dynalite store (exported for tests); false when the store's shape is not dynalite 4's. */
export function cacheTableDescriptions(store: unknown): boolean {
  if (!isStore(store)) return false;
  const tables = new Map<string, unknown>();
  // Bumped by every write: a read that started before a write must not cache what it read.
  let generation = 0;
  const records = store.tableDb;
  for (const method of ['put', 'del', 'batch'] as const) {
    const write = records[method].bind(records) as (...args: unknown[]) => unknown;
    (records as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      generation++;
      tables.clear();
      return write(...args);
    };
  }
  const getTable = store.getTable.bind(store);
  store.getTable = (name, checkStatus, callback) => {
    // Only the item requests' form (status checked, nothing changes the table) is served from memory.
    if (typeof checkStatus !== 'function') return getTable(name, checkStatus, callback);
    const done = checkStatus;
    const cached = tables.get(name);
    if (cached !== undefined) {
      setImmediate(done, null, cached);
      return;
    }
    const started = generation;
    getTable(name, (error, table) => {
      if (!error && started === generation && (table as { TableStatus?: unknown } | undefined)?.TableStatus === 'ACTIVE') {
        tables.set(name, table);
      }
      done(error, table);
    });
  };
  return true;
}
