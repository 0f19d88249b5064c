/**
 * The `webhook-deliveries` queue's one definition, in plain seconds: the CDK construct
 * (lib/constructs/webhooks.ts) and the local stack build their queue and poller from it.
 */

/** The delivery worker's timeout: a batch of up to 10 attempts runs at once, each within WEBHOOK_TIMEOUT_MS (at most 10 s), plus a log write and a retry send. */
export const WEBHOOK_WORKER_TIMEOUT_SECONDS = 30;

export const WEBHOOK_QUEUE_SETTINGS = {
  queueName: 'parley-webhook-deliveries',
  deadLetterQueueName: 'parley-webhook-deliveries-dlq',
  /** Six times the function timeout (AWS's guidance for SQS event sources). */
  visibilityTimeoutSeconds: WEBHOOK_WORKER_TIMEOUT_SECONDS * 6,
  /**
   * Receives before SQS parks a delivery whose handling failed on Parley's side (the table or
   * the queue): a receiver's failure never counts here, it is a logged attempt and a delayed retry.
   */
  maxReceiveCount: 5,
  /** Longer than any backoff schedule (WEBHOOK_MAX_ATTEMPTS x 900 s at most). */
  retentionSeconds: 4 * 24 * 3600,
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  /** Caps the worker's concurrency: a storm of deliveries cannot take the account's Lambda concurrency from chat. */
  maxConcurrency: 5,
} as const;

export function webhookDeadLetterQueueAttributes(): Record<string, string> {
  return { MessageRetentionPeriod: String(WEBHOOK_QUEUE_SETTINGS.deadLetterRetentionSeconds) };
}

export function webhookQueueAttributes(deadLetterQueueArn: string): Record<string, string> {
  return {
    VisibilityTimeout: String(WEBHOOK_QUEUE_SETTINGS.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(WEBHOOK_QUEUE_SETTINGS.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: WEBHOOK_QUEUE_SETTINGS.maxReceiveCount }),
  };
}
