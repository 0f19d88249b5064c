import type { MessageAttributes } from './message-attributes';

/** A message as the queue holds it between send and delete. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: MessageAttributes;
  readonly messageSystemAttributes: MessageAttributes;
  readonly md5OfMessageSystemAttributes?: string;
  readonly senderId: string;
  /** Epoch ms when the message was first enqueued (kept across a move to a dead-letter queue). */
  readonly sentTimestamp: number;
  /** Epoch ms when the message first becomes receivable (after DelaySeconds). */
  availableAt: number;
  /** Epoch ms until which a received message stays hidden. */
  invisibleUntil: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Token of the latest receive; only the newest receipt handle may delete or re-time it. */
  receiveToken?: string;
  deadLetterQueueSourceArn?: string;
}

/** A message handed to a consumer by one receive. */
export interface ReceivedMessage {
  readonly message: QueuedMessage;
  readonly receiptHandle: string;
}
