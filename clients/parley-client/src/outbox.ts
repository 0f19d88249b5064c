import type { AttachmentInfo, CustomerProfile, VisitorContext } from './protocol';
import { readJson, writeJson, type KeyValueStore } from './storage';

/** A send the client has accepted and not yet seen acknowledged or definitively refused. */
export interface OutboxEntry {
  readonly clientMsgId: string;
  /** `start` opens (or returns) the customer's conversation with this text as its first message. */
  readonly action: 'message' | 'start';
  readonly conversationId?: string;
  /** Empty when the message is only an attachment. */
  readonly text: string;
  /** Extension (issue 11): an uploaded file the message carries (docs/attachments.md). */
  readonly attachment?: AttachmentInfo;
  readonly skill?: string;
  readonly profile?: CustomerProfile;
  readonly visitor?: VisitorContext;
  readonly createdAt: number;
  /**
   * Extension (issue 14): the conversation's cursor when the send was accepted (before its first
   * transmission), sent unchanged with every attempt; the server looks for an earlier attempt's
   * copy above it instead of keeping a record of the clientMsgId. Absent: the server keeps one.
   */
  readonly cursor?: number;
}

function isEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<OutboxEntry>;
  return (
    typeof entry.clientMsgId === 'string' &&
    (entry.action === 'message' || entry.action === 'start') &&
    typeof entry.text === 'string' &&
    typeof entry.createdAt === 'number' &&
    (entry.cursor === undefined || (Number.isInteger(entry.cursor) && entry.cursor >= 0))
  );
}

const isEntryList = (value: unknown): value is OutboxEntry[] => Array.isArray(value) && value.every(isEntry);

/**
 * Every unacknowledged send, in the order it was accepted, persisted on each change so a
 * reload or crash does not lose it. Resends reuse the clientMsgId, so the server stores each
 * message once however often it is sent.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly onPersistFailure: (error: string) => void,
  ) {
    for (const entry of readJson(store, key, isEntryList) ?? []) this.entries.set(entry.clientMsgId, entry);
  }

  add(entry: OutboxEntry): void {
    this.entries.set(entry.clientMsgId, entry);
    this.persist();
  }

  get(clientMsgId: string): OutboxEntry | undefined {
    return this.entries.get(clientMsgId);
  }

  /** Removes and returns the entry (undefined if it was not pending, e.g. a duplicate ack). */
  take(clientMsgId: string): OutboxEntry | undefined {
    const entry = this.entries.get(clientMsgId);
    if (entry) {
      this.entries.delete(clientMsgId);
      this.persist();
    }
    return entry;
  }

  list(): OutboxEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  private persist(): void {
    if (!writeJson(this.store, this.key, this.list())) {
      this.onPersistFailure('the outbox could not be saved; unacknowledged sends survive only while this page or process lives');
    }
  }
}
