import type { TranscriptEntry } from '../web/transcript';

/** Something the customer should see in the thread that is not a stored message (an agent joined). */
export interface ThreadEvent {
  readonly key: string;
  /** Shown after the messages up to this seq: those on screen when it happened. */
  readonly afterSeq: number;
  readonly text: string;
  readonly ts: string;
}

/** The transcript's entries with the events placed where they happened, shown as system lines. */
export function withThreadEvents(entries: readonly TranscriptEntry[], events: readonly ThreadEvent[]): TranscriptEntry[] {
  const waiting = [...events].sort((a, b) => a.afterSeq - b.afterSeq);
  const merged: TranscriptEntry[] = [];
  const place = (event: ThreadEvent) =>
    merged.push({ key: event.key, text: event.text, sender: { id: 'system', role: 'system' }, own: false, ts: event.ts });
  for (const entry of entries) {
    // Own sends not yet stored (no seq) stay last, after every event.
    while (waiting.length > 0 && (entry.seq === undefined || entry.seq > waiting[0]!.afterSeq)) place(waiting.shift()!);
    merged.push(entry);
  }
  for (const event of waiting) place(event);
  return merged;
}
