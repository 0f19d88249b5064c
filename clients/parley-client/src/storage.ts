/** The subset of the Web Storage API the client needs; localStorage satisfies it. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps values for the life of the process (Node, tests, or a browser without storage). */
export class MemoryStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
  removeItem(key: string): void {
    this.values.delete(key);
  }
}

/** localStorage when the platform has a usable one (private modes may throw), else memory. */
export function defaultStore(): KeyValueStore {
  try {
    const storage = (globalThis as { localStorage?: KeyValueStore }).localStorage;
    if (storage) {
      const probe = '__parley_probe__';
      storage.setItem(probe, '1');
      storage.removeItem(probe);
      return storage;
    }
  } catch {
    // Storage disabled or full: fall through to memory.
  }
  return new MemoryStore();
}

/** Reads JSON written by `writeJson`; anything unreadable counts as absent. */
export function readJson<T>(store: KeyValueStore, key: string, isValid: (value: unknown) => value is T): T | undefined {
  try {
    const raw = store.getItem(key);
    if (raw === null) return undefined;
    const value: unknown = JSON.parse(raw);
    return isValid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Writes JSON; a full or failing store must not break sending, so failures are reported, not thrown. */
export function writeJson(store: KeyValueStore, key: string, value: unknown): boolean {
  try {
    store.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
