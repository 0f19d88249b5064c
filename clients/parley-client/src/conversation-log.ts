import type { ChatMessage } from './protocol';

/**
 * One conversation's messages on this device: delivered strictly in seq order, each once.
 * `cursor` is the highest seq up to which nothing is missing; messages beyond a gap wait in
 * `ahead` until the gap is filled (by a late live frame or a sync).
 */
export class ConversationLog {
  private readonly delivered: ChatMessage[] = [];
  private readonly ahead = new Map<number, ChatMessage>();
  private position: number | undefined;

  /** `cursor` is where this device is known to be caught up to; undefined until the first sync says. */
  constructor(cursor: number | undefined) {
    this.position = cursor;
  }

  get cursor(): number | undefined {
    return this.position;
  }

  /** True while messages beyond the cursor are held back (a gap to fill). */
  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  /** The lowest held-back seq, if any. */
  get lowestAhead(): number | undefined {
    let lowest: number | undefined;
    for (const seq of this.ahead.keys()) if (lowest === undefined || seq < lowest) lowest = seq;
    return lowest;
  }

  messages(): readonly ChatMessage[] {
    return this.delivered;
  }

  /**
   * Takes a message from any source. Returns what became deliverable, in order: nothing for a
   * duplicate or for a message beyond a gap.
   */
  accept(message: ChatMessage): ChatMessage[] {
    if (this.position !== undefined && message.seq <= this.position) return [];
    if (this.ahead.has(message.seq)) return [];
    this.ahead.set(message.seq, message);
    return this.drain();
  }

  /**
   * Fixes the starting point of a conversation first seen on this device: the server's sync
   * reached `reached`. Whatever this device already holds is shown, so it starts just below
   * the lowest held message (a sync with the new cursor fills any gap above it).
   */
  startAt(reached: number): ChatMessage[] {
    if (this.position !== undefined) return [];
    const lowest = this.lowestAhead;
    this.position = lowest !== undefined && lowest <= reached ? lowest - 1 : reached;
    return this.drain();
  }

  private drain(): ChatMessage[] {
    if (this.position === undefined) return [];
    const released: ChatMessage[] = [];
    for (let next = this.ahead.get(this.position + 1); next; next = this.ahead.get(this.position + 1)) {
      this.ahead.delete(next.seq);
      this.position = next.seq;
      this.delivered.push(next);
      released.push(next);
    }
    return released;
  }
}
