/**
 * The events queue's one definition, in plain seconds: the CDK construct (events.ts) and the
 * local stack (local/stack.ts) both build the queue, its DLQ and its consumer's poller from it,
 * so an event is retried, parked and batched alike on AWS and on one machine.
 */

/** The events consumer Lambda's timeout. */
export const EVENTS_CONSUMER_TIMEOUT_SECONDS = 30;

export const EVENTS_QUEUE_SETTINGS = {
  queueName: 'parley-events',
  deadLetterQueueName: 'parley-events-dlq',
  /** At least six times the consumer's timeout (AWS's guidance for SQS event sources). */
  visibilityTimeoutSeconds: EVENTS_CONSUMER_TIMEOUT_SECONDS * 6,
  /** Receives before SQS parks an event a sink keeps failing on in the DLQ. */
  maxReceiveCount: 5,
  retentionSeconds: 4 * 24 * 3600,
  /** Long enough to notice, fix and redrive. */
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  /** Events per consumer invocation. */
  batchSize: 10,
  /** Nobody waits on the consumer: gather fuller batches. */
  maxBatchingWindowSeconds: 2,
} as const;

/** CreateQueue attributes for the events DLQ, as the CDK template sets them. */
export function eventsDeadLetterQueueAttributes(): Record<string, string> {
  return { MessageRetentionPeriod: String(EVENTS_QUEUE_SETTINGS.deadLetterRetentionSeconds) };
}

/** CreateQueue attributes for the events queue, as the CDK template sets them. */
export function eventsQueueAttributes(deadLetterQueueArn: string): Record<string, string> {
  return {
    VisibilityTimeout: String(EVENTS_QUEUE_SETTINGS.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(EVENTS_QUEUE_SETTINGS.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: EVENTS_QUEUE_SETTINGS.maxReceiveCount }),
  };
}
