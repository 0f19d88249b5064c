import { readJson, writeJson, type KeyValueStore } from './storage';

const isCursorMap = (value: unknown): value is Record<string, number> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((seq) => typeof seq === 'number' && Number.isInteger(seq) && seq >= 0);

/** Per-conversation cursors (highest seq delivered without gaps), persisted so a reload resumes. */
export class CursorStore {
  private readonly cursors: Record<string, number>;

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
  ) {
    this.cursors = readJson(store, key, isCursorMap) ?? {};
  }

  get(conversationId: string): number | undefined {
    return this.cursors[conversationId];
  }

  all(): Record<string, number> {
    return { ...this.cursors };
  }

  set(conversationId: string, seq: number): void {
    if ((this.cursors[conversationId] ?? -1) >= seq) return;
    this.cursors[conversationId] = seq;
    writeJson(this.store, this.key, this.cursors);
  }
}
