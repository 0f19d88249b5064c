import { randomUUID } from 'node:crypto';
import type { MessageAttributes } from './message-attributes';
import { containsInvalidCharacters, messageAttributesSize } from './message-attributes';
import { md5OfBody, md5OfMessageAttributes } from './message-md5';
import type { QueueSettings } from './queue-attributes';
import { DEFAULT_QUEUE_SETTINGS, applyQueueAttributes, isKnownAttributeName, settingsToAttributes } from './queue-attributes';
import type { QueuedMessage, ReceivedMessage } from './queued-message';
import { decodeReceiptHandle } from './receipt-handle';
import { SqsQueue } from './sqs-queue';
import {
  invalidAttributeName,
  invalidMessageContents,
  invalidParameter,
  invalidParameterValue,
  queueDoesNotExist,
  queueNameExists,
  unsupportedOperation,
} from './sqs-errors';

export interface QueueStoreOptions {
  region: string;
  accountId: string;
  /** Origin used in queue URLs, e.g. `http://127.0.0.1:9324`. */
  baseUrl: string;
  /** Clock in epoch ms; injectable so tests can control time. */
  now?: () => number;
}

export interface SendMessageInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  messageSystemAttributes?: MessageAttributes;
}

export interface SendMessageResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
}

export interface ReceiveOptions {
  /** 1-10, default 1. */
  maxNumberOfMessages?: number;
  /** Overrides the queue's VisibilityTimeout for this receive. */
  visibilityTimeoutSeconds?: number;
  /** Long polling, 0-20; defaults to the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSeconds?: number;
  /** Aborting ends a long poll early without taking any message. */
  signal?: AbortSignal;
}

const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(name, value, `Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}

/**
 * All queues of one local SQS endpoint and the SQS semantics on them: at-least-once
 * delivery, visibility timeouts, delays, retention, redrive to dead-letter queues and
 * long polling. Usable directly (tests, fault injection) or through the HTTP server.
 */
export class QueueStore {
  readonly region: string;
  readonly accountId: string;
  readonly baseUrl: string;
  private readonly now: () => number;
  private readonly queues = new Map<string, SqsQueue>();
  private closed = false;
  /** Called after any queue's messages change (local/sqs/queue-persistence.ts keeps them under --data). */
  onChange: () => void = () => undefined;

  constructor(options: QueueStoreOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
  }

  queueUrl(name: string): string {
    return `${this.baseUrl}/${this.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** Creates a queue, or returns the existing one when its attributes match (as SQS does). */
  createQueue(name: string, attributes: Record<string, string> = {}): SqsQueue {
    if (name.endsWith('.fifo')) {
      throw unsupportedOperation('FIFO queues are not supported by the local SQS server.');
    }
    if (!QUEUE_NAME_PATTERN.test(name)) {
      throw invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const existing = this.queues.get(name);
    const settings = applyQueueAttributes(
      existing?.settings ?? DEFAULT_QUEUE_SETTINGS,
      attributes,
      (arn) => this.findQueueByArn(arn) !== undefined,
    );
    if (existing) {
      if (JSON.stringify(settings) !== JSON.stringify(existing.settings)) throw queueNameExists(name);
      return existing;
    }
    const queue = new SqsQueue(name, this.queueUrl(name), this.queueArn(name), settings, this.now());
    queue.onChange = () => this.onChange();
    this.queues.set(name, queue);
    return queue;
  }

  getQueue(name: string): SqsQueue {
    const queue = this.queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /** Resolves a queue URL by its path (`/<account>/<name>`), whatever host it names. */
  getQueueByUrl(queueUrl: string): SqsQueue {
    let path: string;
    try {
      path = new URL(queueUrl).pathname;
    } catch {
      path = queueUrl;
    }
    const segments = path.split('/').filter((segment) => segment !== '');
    const name = segments.at(-1);
    const account = segments.at(-2);
    if (!name || (account !== undefined && account !== this.accountId)) throw queueDoesNotExist();
    return this.getQueue(decodeURIComponent(name));
  }

  findQueueByArn(arn: string): SqsQueue | undefined {
    const prefix = `arn:aws:sqs:${this.region}:${this.accountId}:`;
    return arn.startsWith(prefix) ? this.queues.get(arn.slice(prefix.length)) : undefined;
  }

  listQueues(prefix = ''): SqsQueue[] {
    return [...this.queues.values()]
      .filter((queue) => queue.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  deleteQueue(name: string): void {
    const queue = this.getQueue(name);
    this.queues.delete(name);
    queue.purge();
    queue.notifyWaiters();
  }

  purgeQueue(name: string): void {
    this.getQueue(name).purge();
  }

  setQueueAttributes(name: string, attributes: Record<string, string>): void {
    const queue = this.getQueue(name);
    queue.settings = applyQueueAttributes(queue.settings, attributes, (arn) => this.findQueueByArn(arn) !== undefined);
    queue.lastModifiedTimestamp = this.now();
    // A shorter wait or visibility may make messages receivable sooner.
    queue.notifyWaiters();
  }

  /** GetQueueAttributes: `All`, or the listed names (unknown names are an error, as on SQS). */
  getQueueAttributes(name: string, attributeNames: readonly string[]): Record<string, string> {
    const queue = this.getQueue(name);
    for (const attributeName of attributeNames) {
      if (attributeName !== 'All' && !isKnownAttributeName(attributeName)) throw invalidAttributeName(attributeName);
    }
    const counts = queue.counts(this.now());
    const all: Record<string, string> = {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedTimestamp / 1000)),
      ...settingsToAttributes(queue.settings),
    };
    if (attributeNames.includes('All')) return all;
    const selected: Record<string, string> = {};
    for (const attributeName of attributeNames) {
      const value = all[attributeName];
      if (value !== undefined) selected[attributeName] = value;
    }
    return selected;
  }

  sendMessage(name: string, input: SendMessageInput): SendMessageResult {
    const queue = this.getQueue(name);
    const messageAttributes = input.messageAttributes ?? {};
    const messageSystemAttributes = input.messageSystemAttributes ?? {};
    this.validateMessage(queue.settings, input.body, messageAttributes, messageSystemAttributes);
    const delaySeconds = checkRange('DelaySeconds', input.delaySeconds ?? queue.settings.delaySeconds, 0, 900);
    const now = this.now();
    const md5OfMessageSystemAttributes = md5OfMessageAttributes(messageSystemAttributes);
    const message: QueuedMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5OfBody(input.body),
      messageAttributes,
      messageSystemAttributes,
      ...(md5OfMessageSystemAttributes ? { md5OfMessageSystemAttributes } : {}),
      senderId: this.accountId,
      sentTimestamp: now,
      availableAt: now + delaySeconds * 1000,
      invisibleUntil: 0,
      receiveCount: 0,
    };
    queue.enqueue(message);
    const md5OfAttributes = md5OfMessageAttributes(messageAttributes);
    return {
      messageId: message.messageId,
      md5OfMessageBody: message.md5OfBody,
      ...(md5OfAttributes ? { md5OfMessageAttributes: md5OfAttributes } : {}),
      ...(md5OfMessageSystemAttributes ? { md5OfMessageSystemAttributes } : {}),
    };
  }

  /** ReceiveMessage without waiting: whatever is receivable right now. */
  receiveMessages(name: string, options: Omit<ReceiveOptions, 'waitTimeSeconds' | 'signal'> = {}): ReceivedMessage[] {
    const queue = this.getQueue(name);
    const max = checkRange('MaxNumberOfMessages', options.maxNumberOfMessages ?? 1, 1, 10);
    const visibility = checkRange(
      'VisibilityTimeout',
      options.visibilityTimeoutSeconds ?? queue.settings.visibilityTimeoutSeconds,
      0,
      43_200,
    );
    const now = this.now();
    return queue.receive(now, max, visibility, (message) => this.moveToDeadLetterQueueIfExhausted(queue, message, now));
  }

  /**
   * ReceiveMessage with long polling: returns as soon as at least one message is
   * receivable, or empty after the wait time (or when aborted, or the store closes).
   */
  async waitForMessages(name: string, options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const queue = this.getQueue(name);
    const waitSeconds = checkRange('WaitTimeSeconds', options.waitTimeSeconds ?? queue.settings.receiveMessageWaitTimeSeconds, 0, 20);
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      if (options.signal?.aborted || this.closed) return [];
      const received = this.receiveMessages(name, options);
      const now = this.now();
      if (received.length > 0 || now >= deadline) return received;
      const wakeAt = Math.min(deadline, queue.nextReceivableAt(now) ?? deadline);
      await queue.waitForChange(wakeAt - now, options.signal);
    }
  }

  deleteMessage(name: string, receiptHandle: string): void {
    this.getQueue(name).delete(decodeReceiptHandle(receiptHandle));
  }

  changeMessageVisibility(name: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const queue = this.getQueue(name);
    const timeout = checkRange('VisibilityTimeout', visibilityTimeoutSeconds, 0, 43_200);
    queue.changeVisibility(decodeReceiptHandle(receiptHandle), receiptHandle, timeout, this.now());
  }

  /** Ends every pending long poll; the store stays readable. */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) queue.notifyWaiters();
  }

  private validateMessage(
    settings: QueueSettings,
    body: string,
    messageAttributes: MessageAttributes,
    messageSystemAttributes: MessageAttributes,
  ): void {
    if (typeof body !== 'string' || body.length === 0) {
      throw invalidParameterValue('The request must contain a non-empty message body.');
    }
    if (containsInvalidCharacters(body)) throw invalidMessageContents();
    for (const systemName of Object.keys(messageSystemAttributes)) {
      if (systemName !== 'AWSTraceHeader') {
        throw invalidParameterValue(`Message system attribute name '${systemName}' is invalid.`);
      }
    }
    const size = Buffer.byteLength(body) + messageAttributesSize(messageAttributes);
    if (size > settings.maximumMessageSize) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${settings.maximumMessageSize} bytes.`,
      );
    }
  }

  /**
   * Redrive: when this receive would push the receive count above maxReceiveCount, the
   * message moves to the dead-letter queue (keeping id, body, attributes and sent time).
   */
  private moveToDeadLetterQueueIfExhausted(source: SqsQueue, message: QueuedMessage, now: number): boolean {
    const policy = source.settings.redrivePolicy;
    if (!policy || message.receiveCount < policy.maxReceiveCount) return false;
    const target = this.findQueueByArn(policy.deadLetterTargetArn);
    if (!target || target === source) return false;
    const moved: QueuedMessage = {
      ...message,
      availableAt: now,
      invisibleUntil: 0,
      receiveCount: 0,
      deadLetterQueueSourceArn: source.arn,
    };
    delete moved.firstReceiveTimestamp;
    delete moved.receiveToken;
    target.enqueue(moved);
    return true;
  }
}
