import type { QueueSettings } from './queue-attributes';
import type { QueuedMessage, ReceivedMessage } from './queued-message';
import type { ReceiptHandleParts } from './receipt-handle';
import { encodeReceiptHandle, newReceiveToken } from './receipt-handle';
import { invalidParameter, messageNotInflight } from './sqs-errors';

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Decides, during a receive, whether a message goes to the dead-letter queue instead. */
export type DeadLetterDecision = (message: QueuedMessage) => boolean;

/** One standard queue: its settings, its messages and the receivers waiting on it. */
export class SqsQueue {
  private readonly messages = new Map<string, QueuedMessage>();
  private readonly waiters = new Set<() => void>();
  lastModifiedTimestamp: number;
  /** Called after every change to the messages (sent, received, deleted, re-timed, purged): --data keeps them. */
  onChange: () => void = () => undefined;

  constructor(
    readonly name: string,
    readonly url: string,
    readonly arn: string,
    public settings: QueueSettings,
    readonly createdTimestamp: number,
  ) {
    this.lastModifiedTimestamp = createdTimestamp;
  }

  enqueue(message: QueuedMessage): void {
    this.messages.set(message.messageId, message);
    this.onChange();
    this.notifyWaiters();
  }

  /** Every message held (visible, in flight or delayed), for a snapshot. */
  snapshot(): QueuedMessage[] {
    return [...this.messages.values()].map((message) => ({ ...message }));
  }

  /** Puts back messages from a snapshot, as they were (ids, receive counts, hidden or delayed until). */
  restore(messages: readonly QueuedMessage[]): void {
    for (const message of messages) this.messages.set(message.messageId, { ...message });
    this.onChange();
    this.notifyWaiters();
  }

  /** Drops messages older than the retention period, as SQS does. */
  dropExpired(now: number): void {
    const retentionMs = this.settings.messageRetentionPeriodSeconds * 1000;
    for (const [id, message] of this.messages) {
      if (message.sentTimestamp + retentionMs <= now) this.messages.delete(id);
    }
  }

  /**
   * Hands out up to `max` receivable messages, oldest first, hiding each for
   * `visibilityTimeoutSeconds`. Messages for which `sendToDeadLetter` returns true are
   * removed here (the caller has moved them) and not returned.
   */
  receive(now: number, max: number, visibilityTimeoutSeconds: number, sendToDeadLetter: DeadLetterDecision): ReceivedMessage[] {
    this.dropExpired(now);
    const received: ReceivedMessage[] = [];
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.availableAt > now || message.invisibleUntil > now) continue;
      if (sendToDeadLetter(message)) {
        this.messages.delete(message.messageId);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiveToken = newReceiveToken();
      message.invisibleUntil = now + visibilityTimeoutSeconds * 1000;
      received.push({
        message,
        receiptHandle: encodeReceiptHandle({ messageId: message.messageId, receiveToken: message.receiveToken }),
      });
    }
    if (received.length > 0) this.onChange();
    return received;
  }

  /**
   * Deletes the message the handle refers to. A handle from an older receive, or for a
   * message already gone, is a successful no-op, as on AWS.
   */
  delete(handle: ReceiptHandleParts): boolean {
    const message = this.messages.get(handle.messageId);
    if (!message || message.receiveToken !== handle.receiveToken) return false;
    this.messages.delete(handle.messageId);
    this.onChange();
    return true;
  }

  changeVisibility(handle: ReceiptHandleParts, rawHandle: string, timeoutSeconds: number, now: number): void {
    const message = this.messages.get(handle.messageId);
    if (!message || message.receiveToken !== handle.receiveToken) {
      throw invalidParameter('ReceiptHandle', rawHandle, 'Message does not exist or is not available for visibility timeout change.');
    }
    if (message.invisibleUntil <= now) throw messageNotInflight();
    message.invisibleUntil = now + timeoutSeconds * 1000;
    this.onChange();
    if (timeoutSeconds === 0) this.notifyWaiters();
  }

  /**
   * Ends every message's visibility timeout now, as if it had run out: what a test does instead
   * of waiting the routing queue's 180 s for a trigger that failed during an injected outage.
   */
  expireVisibility(now: number): number {
    let expired = 0;
    for (const message of this.messages.values()) {
      if (message.availableAt <= now && message.invisibleUntil > now) {
        message.invisibleUntil = now;
        expired += 1;
      }
    }
    if (expired > 0) {
      this.onChange();
      this.notifyWaiters();
    }
    return expired;
  }

  purge(): void {
    this.messages.clear();
    this.onChange();
  }

  counts(now: number): QueueCounts {
    this.dropExpired(now);
    const counts: QueueCounts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.messages.values()) {
      if (message.availableAt > now) counts.delayed += 1;
      else if (message.invisibleUntil > now) counts.inFlight += 1;
      else counts.visible += 1;
    }
    return counts;
  }

  /** Epoch ms at which some hidden or delayed message next becomes receivable. */
  nextReceivableAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      const at = Math.max(message.availableAt, message.invisibleUntil);
      if (at > now && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Resolves when a message may have become receivable, after `timeoutMs`, or on abort. */
  waitForChange(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(finish);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, timeoutMs));
      this.waiters.add(finish);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Wakes every waiting receiver (new message, queue deleted, server closing). */
  notifyWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
