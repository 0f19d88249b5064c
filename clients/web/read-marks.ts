/** The last seq this agent has seen per conversation, kept across reloads for unread counts. */
export class ReadMarks {
  private readonly marks: Record<string, number>;

  constructor(
    private readonly storage: Storage | undefined,
    private readonly key: string,
  ) {
    let loaded: Record<string, number> = {};
    try {
      const raw = storage?.getItem(key);
      if (raw) loaded = JSON.parse(raw) as Record<string, number>;
    } catch {
      loaded = {};
    }
    this.marks = loaded;
  }

  get(conversationId: string): number {
    const value = this.marks[conversationId];
    return typeof value === 'number' ? value : 0;
  }

  /** Moves the mark forward (never back); returns true when it moved. */
  advance(conversationId: string, seq: number): boolean {
    if (seq <= this.get(conversationId)) return false;
    this.marks[conversationId] = seq;
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.marks));
    } catch {
      // Unread counts fall back to this page's memory.
    }
    return true;
  }
}
