import type { AckFrame, ChatMessage, ClientFrame, ErrorFrame, Sender } from './protocol';
import { isDefinitiveError } from './protocol';

/** A note written on this device, until the server acknowledges or refuses it. */
export interface PendingNote {
  readonly clientMsgId: string;
  readonly conversationId: string;
  readonly text: string;
  /** Resolves with the `ack` (`internal: true`), rejects with a refusal that resending would not change. */
  readonly acknowledged: Promise<AckFrame>;
}

interface Waiter {
  readonly note: Omit<PendingNote, 'acknowledged'>;
  resolve(ack: AckFrame): void;
  reject(error: ErrorFrame): void;
}

/**
 * Internal notes on a staff device (issue 10): each conversation's notes once, in note-seq
 * order; the note cursor (highest seq held with none missing before it) that `sync` sends as
 * `noteCursors`; and notes written here, resent with their clientMsgId until acknowledged.
 */
export class NoteBook {
  private readonly notes = new Map<string, Map<number, ChatMessage>>();
  private readonly cursors = new Map<string, number>();
  private readonly waiting = new Map<string, Waiter>();

  /** Keeps a note; false if it was held already. */
  receive(note: ChatMessage): boolean {
    let held = this.notes.get(note.conversationId);
    if (!held) {
      held = new Map();
      this.notes.set(note.conversationId, held);
    }
    if (held.has(note.seq)) return false;
    held.set(note.seq, note);
    let cursor = this.cursors.get(note.conversationId) ?? 0;
    while (held.has(cursor + 1)) cursor += 1;
    this.cursors.set(note.conversationId, cursor);
    return true;
  }

  list(conversationId: string): ChatMessage[] {
    return [...(this.notes.get(conversationId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  /** What `sync` sends: the server replays every note after these (all of a conversation not named). */
  noteCursors(): Record<string, number> {
    return Object.fromEntries(this.cursors);
  }

  write(conversationId: string, text: string, clientMsgId: string, send: (frame: ClientFrame) => void): PendingNote {
    const note = { clientMsgId, conversationId, text };
    const acknowledged = new Promise<AckFrame>((resolve, reject) => this.waiting.set(clientMsgId, { note, resolve, reject }));
    // Callers that only watch events need not handle the promise.
    acknowledged.catch(() => undefined);
    send({ action: 'note', conversationId, clientMsgId, text });
    return { ...note, acknowledged };
  }

  /** After a reconnect: every unacknowledged note again, with its clientMsgId (stored once by the server). */
  resend(send: (frame: ClientFrame) => void): void {
    for (const { note } of this.waiting.values()) send({ action: 'note', ...note });
  }

  /** An `ack` with `internal: true`: the note as stored, or undefined if it was not written here. */
  onAck(ack: AckFrame, self: Sender | undefined): ChatMessage | undefined {
    const waiter = this.waiting.get(ack.clientMsgId);
    if (!waiter) return undefined;
    this.waiting.delete(ack.clientMsgId);
    waiter.resolve(ack);
    if (!self) return undefined;
    const { seq, messageId, clientMsgId, conversationId, ts } = ack;
    return { conversationId, seq, messageId, clientMsgId, sender: self, text: waiter.note.text, ts };
  }

  /** An error about a note written here: a definitive one rejects it (else it waits for the resend). True if it was one. */
  onError(frame: ErrorFrame): boolean {
    const waiter = frame.clientMsgId && frame.action === 'note' ? this.waiting.get(frame.clientMsgId) : undefined;
    if (!waiter) return false;
    if (isDefinitiveError(frame.code)) {
      this.waiting.delete(waiter.note.clientMsgId);
      waiter.reject(frame);
    }
    return true;
  }
}
