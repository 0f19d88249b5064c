import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { PARKED_ATTRIBUTES } from '../../functions/adapters/sqs/dead-letter-queue';

/** What the DLQ holds, from its counters and a sample of its messages (released again at once). */
export interface DeadLetterReport {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** The oldest SentTimestamp among the sampled messages (ISO), if any were sampled. */
  readonly oldestSampled?: string;
  readonly sample: readonly SampledDeadLetter[];
}

export interface SampledDeadLetter {
  readonly messageId: string;
  readonly sentAt?: string;
  readonly receiveCount: number;
  /** `ErrorClass: message` when the router parked it; SQS's redrive policy records no reason. */
  readonly reason: string;
  readonly body: string;
}

export interface RedriveOutcome {
  readonly moved: number;
  /** Sends that failed: the message stays in the DLQ and shows again after its visibility timeout. */
  readonly sendFailures: number;
  /** Sent but not deleted: it is in both queues (SQS at-least-once; triggers are idempotent). */
  readonly deleteFailures: number;
}

/** How long a message being moved stays hidden in the DLQ: far longer than one send takes. */
const MOVE_VISIBILITY_SECONDS = 60;
const SAMPLE_VISIBILITY_SECONDS = 10;
const PARKED_NAMES = new Set<string>(Object.values(PARKED_ATTRIBUTES));

const stringAttribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

function reasonOf(message: Message): string {
  const errorClass = stringAttribute(message, PARKED_ATTRIBUTES.errorClass);
  if (!errorClass) return `failed ${message.Attributes?.ApproximateReceiveCount ?? '?'} receives (SQS redrive policy)`;
  return `${errorClass}: ${stringAttribute(message, PARKED_ATTRIBUTES.errorMessage) ?? ''}`;
}

/** The original attributes, without the reasons the router added when it parked the message. */
function originalAttributes(message: Message): Record<string, MessageAttributeValue> | undefined {
  const kept = Object.entries(message.MessageAttributes ?? {}).filter(([name]) => !PARKED_NAMES.has(name));
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

async function receive(client: SQSClient, queueUrl: string, max: number, visibilitySeconds: number): Promise<Message[]> {
  const output = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, max),
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  return output.Messages ?? [];
}

export async function inspectDeadLetters(client: SQSClient, deadLetterQueueUrl: string, sampleSize = 10): Promise<DeadLetterReport> {
  const { Attributes: counts = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: deadLetterQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const sampled = new Map<string, Message>();
  while (sampled.size < sampleSize) {
    const batch = await receive(client, deadLetterQueueUrl, sampleSize - sampled.size, SAMPLE_VISIBILITY_SECONDS);
    if (batch.length === 0) break;
    for (const message of batch) sampled.set(message.MessageId ?? '', message);
    // Hand them straight back: looking must not hide anything from a redrive or another look.
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: deadLetterQueueUrl,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }),
    );
    if (batch.every((message) => sampled.has(message.MessageId ?? '')) && batch.length < 10) break;
  }
  const sample = [...sampled.values()].map((message) => {
    const sent = Number(message.Attributes?.SentTimestamp);
    return {
      messageId: message.MessageId ?? '',
      ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
      reason: reasonOf(message),
      body: message.Body ?? '',
    };
  });
  const oldest = sample
    .map((message) => message.sentAt)
    .filter((sentAt): sentAt is string => sentAt !== undefined)
    .sort()[0];
  return {
    visible: Number(counts.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(counts.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(counts.ApproximateNumberOfMessagesDelayed ?? 0),
    ...(oldest ? { oldestSampled: oldest } : {}),
    sample,
  };
}

/**
 * Moves messages from the DLQ back to the routing queue: each is sent first and deleted from
 * the DLQ only once the send succeeded, so a failure part-way leaves it in the DLQ (or, if the
 * delete fails, in both: a duplicate, which routing triggers tolerate), never nowhere.
 */
export async function redriveDeadLetters(
  client: SQSClient,
  options: {
    readonly deadLetterQueueUrl: string;
    readonly targetQueueUrl: string;
    readonly max?: number;
    readonly onMoved?: (message: Message) => void;
    /** The run's start, compared with SentTimestamp (tests move it; the system clock otherwise). */
    readonly now?: () => number;
  },
): Promise<RedriveOutcome> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  // A trigger that fails again is parked again while the run goes on: only what was in the DLQ
  // when the run began is moved, or one that can never succeed would cycle between the queues.
  const startedAt = (options.now ?? Date.now)();
  let moved = 0;
  let sendFailures = 0;
  let deleteFailures = 0;
  while (moved + sendFailures < max) {
    const batch = await receive(client, options.deadLetterQueueUrl, Math.min(10, max - moved - sendFailures), MOVE_VISIBILITY_SECONDS);
    const parkedAgain = batch.filter((message) => Number(message.Attributes?.SentTimestamp) >= startedAt);
    if (parkedAgain.length > 0) {
      // Back in view at once: they stay in the DLQ for a later look or run.
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: options.deadLetterQueueUrl,
          Entries: parkedAgain.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle!,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
    const toMove = batch.filter((message) => !parkedAgain.includes(message));
    if (toMove.length === 0) break;
    for (const message of toMove) {
      const attributes = originalAttributes(message);
      try {
        await client.send(
          new SendMessageCommand({
            QueueUrl: options.targetQueueUrl,
            MessageBody: message.Body ?? '',
            ...(attributes ? { MessageAttributes: attributes } : {}),
          }),
        );
      } catch (error) {
        sendFailures++;
        console.error(`redrive: could not send ${message.MessageId} (left in the DLQ): ${String(error)}`);
        continue;
      }
      try {
        await client.send(new DeleteMessageCommand({ QueueUrl: options.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      } catch (error) {
        deleteFailures++;
        console.error(`redrive: sent ${message.MessageId} but could not delete it from the DLQ (it will show again): ${String(error)}`);
      }
      moved++;
      options.onMoved?.(message);
    }
    // A failing target: stop instead of cycling through the whole DLQ.
    if (sendFailures > 0) break;
  }
  return { moved, sendFailures, deleteFailures };
}
