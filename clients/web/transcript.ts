import type { AttachmentInfo, ChatMessage, Sender } from '../parley-client/src/index';

/**
 * `sending`: accepted, waiting for the server's ack. `sent`: stored durably. `delivered`:
 * stored while someone on the other side was assigned, so it was pushed to them. `read`: the
 * other side's read cursor reached it. `failed`: the server refused it for good.
 */
export type Delivery = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface TranscriptEntry {
  /** Stable across pending → stored: the clientMsgId when there is one, else the messageId. */
  readonly key: string;
  readonly seq?: number;
  readonly text: string;
  readonly sender?: Sender;
  readonly own: boolean;
  readonly ts: string;
  readonly delivery?: Delivery;
  readonly failure?: string;
  /** An internal note (staff only, issue 10); `seq` is then its note seq. */
  readonly internal?: true;
  /** Issue 11: the file the message carries, and the conversation it was sent in (its download URL needs both). */
  readonly attachment?: { readonly info: AttachmentInfo; readonly conversationId: string };
}

interface PendingSend {
  readonly text: string;
  readonly createdAt: number;
  failure?: string;
}

/**
 * One conversation as a page shows it: stored messages from any source (history pages, sync,
 * live frames, acks) merged by seq so none shows twice, followed by own sends not yet stored.
 */
export class Transcript {
  private readonly stored = new Map<number, ChatMessage>();
  private readonly pending = new Map<string, PendingSend>();
  /** Internal notes (staff views): their own seq space, shown among the messages by time. */
  private readonly notes = new Map<number, ChatMessage>();
  private readonly pendingNotes = new Map<string, PendingSend>();
  /** Highest seq the other side has read. */
  private othersRead = 0;

  constructor(readonly conversationId: string | undefined) {}

  /** Returns true when the message was new. */
  add(message: ChatMessage): boolean {
    if (message.clientMsgId) this.pending.delete(message.clientMsgId);
    if (this.stored.has(message.seq)) return false;
    this.stored.set(message.seq, message);
    return true;
  }

  /** Returns true when the note was new. */
  addNote(note: ChatMessage): boolean {
    if (note.clientMsgId) this.pendingNotes.delete(note.clientMsgId);
    if (this.notes.has(note.seq)) return false;
    this.notes.set(note.seq, note);
    return true;
  }

  addPendingNote(clientMsgId: string, text: string, createdAt: number): void {
    this.pendingNotes.set(clientMsgId, { text, createdAt });
  }

  markNoteFailed(clientMsgId: string, reason: string): void {
    const entry = this.pendingNotes.get(clientMsgId);
    if (entry) entry.failure = reason;
  }

  addPending(clientMsgId: string, text: string, createdAt: number): void {
    if (![...this.stored.values()].some((message) => message.clientMsgId === clientMsgId))
      this.pending.set(clientMsgId, { text, createdAt });
  }

  /** Forgets a send that was never handed to a client (it is sent again under a new clientMsgId). */
  dropPending(clientMsgId: string): void {
    this.pending.delete(clientMsgId);
  }

  markFailed(clientMsgId: string, reason: string): void {
    const entry = this.pending.get(clientMsgId);
    if (entry) entry.failure = reason;
  }

  /** Moves pending sends of a not-yet-known conversation into this one (its start was acknowledged). */
  adoptPending(from: Transcript): void {
    for (const [id, entry] of from.pending) if (!this.pending.has(id)) this.pending.set(id, entry);
  }

  markReadByOthers(seq: number): void {
    this.othersRead = Math.max(this.othersRead, seq);
  }

  get lastSeq(): number {
    let last = 0;
    for (const seq of this.stored.keys()) last = Math.max(last, seq);
    return last;
  }

  /** Messages by other people (not system notices) after `seq`. */
  countFromOthersAfter(seq: number, selfId: string | undefined): number {
    let count = 0;
    for (const message of this.stored.values()) {
      if (message.seq > seq && message.sender.id !== selfId && message.sender.role !== 'system') count += 1;
    }
    return count;
  }

  /** The latest message written by a person (system notices skipped). */
  lastFromPeople(): ChatMessage | undefined {
    let last: ChatMessage | undefined;
    for (const message of this.stored.values()) {
      if (message.sender.role !== 'system' && (!last || message.seq > last.seq)) last = message;
    }
    return last;
  }

  entries(selfId: string | undefined, othersPresent: boolean): TranscriptEntry[] {
    const stored = [...this.stored.values()].sort((a, b) => a.seq - b.seq);
    const entries: TranscriptEntry[] = stored.map((message) => {
      const own = selfId !== undefined && message.sender.id === selfId;
      const delivery: Delivery | undefined = !own
        ? undefined
        : message.seq <= this.othersRead
          ? 'read'
          : othersPresent
            ? 'delivered'
            : 'sent';
      return {
        key: message.clientMsgId ?? message.messageId,
        seq: message.seq,
        text: message.text,
        sender: message.sender,
        own,
        ts: message.ts,
        ...(delivery ? { delivery } : {}),
        ...(message.attachment ? { attachment: { info: message.attachment, conversationId: message.conversationId } } : {}),
      };
    });
    // Notes sit among the messages by time (a message first on a tie: the note is about it).
    for (const note of [...this.notes.values()].sort((a, b) => a.seq - b.seq)) {
      const at = entries.findIndex((entry) => entry.ts > note.ts);
      const entry: TranscriptEntry = {
        key: `note:${note.clientMsgId ?? note.messageId}`,
        seq: note.seq,
        text: note.text,
        sender: note.sender,
        own: selfId !== undefined && note.sender.id === selfId,
        ts: note.ts,
        internal: true,
      };
      if (at === -1) entries.push(entry);
      else entries.splice(at, 0, entry);
    }
    for (const [clientMsgId, entry] of [...this.pendingNotes.entries()].sort((a, b) => a[1].createdAt - b[1].createdAt)) {
      entries.push({
        key: `note:${clientMsgId}`,
        text: entry.text,
        own: true,
        ts: new Date(entry.createdAt).toISOString(),
        internal: true,
        delivery: entry.failure ? 'failed' : 'sending',
        ...(entry.failure ? { failure: entry.failure } : {}),
      });
    }
    const pending = [...this.pending.entries()].sort((a, b) => a[1].createdAt - b[1].createdAt);
    for (const [clientMsgId, entry] of pending) {
      entries.push({
        key: clientMsgId,
        text: entry.text,
        own: true,
        ts: new Date(entry.createdAt).toISOString(),
        delivery: entry.failure ? 'failed' : 'sending',
        ...(entry.failure ? { failure: entry.failure } : {}),
      });
    }
    return entries;
  }
}
