import { createRequire } from 'node:module';

interface DynaliteDb {
  create(options: unknown): unknown;
}

const require = createRequire(import.meta.url);

/**
 * Runs `start` (which calls `dynalite()`) with `install` applied to every store it creates.
 * dynalite exposes no store, so this wraps `dynalite/db`'s `create` (the module dynalite builds
 * its store with) while `start` runs, and puts it back after. Each install checks the store's
 * shape and leaves a store it does not recognise alone.
 */
export function withEachDynaliteStore<T>(start: () => T, ...install: ReadonlyArray<(store: unknown) => unknown>): T {
  const db = require('dynalite/db') as DynaliteDb;
  const create = db.create;
  db.create = (options: unknown) => {
    const store = create(options);
    for (const apply of install) apply(store);
    return store;
  };
  try {
    return start();
  } finally {
    db.create = create;
  }
}
