/**
 * The routing queue's one definition, in plain seconds: the CDK constructs (routing.ts,
 * router.ts) and the local stack (local/stack.ts) both build their queue and poller from it,
 * so a trigger is retried, parked and batched alike on AWS and on one machine.
 */

/** The router Lambda's timeout. */
export const ROUTER_TIMEOUT_SECONDS = 30;

export const ROUTING_QUEUE_SETTINGS = {
  queueName: 'parley-routing',
  deadLetterQueueName: 'parley-routing-dlq',
  /**
   * AWS's guidance for SQS event sources: at least six times the function timeout, so a batch
   * still being retried by the poller is not delivered a second time meanwhile.
   */
  visibilityTimeoutSeconds: ROUTER_TIMEOUT_SECONDS * 6,
  /** Receives before SQS parks a trigger that keeps failing (transient faults) in the DLQ. */
  maxReceiveCount: 5,
  /** SQS's default, stated so both sides agree. */
  retentionSeconds: 4 * 24 * 3600,
  /** Long enough to notice, fix and redrive (npm run redrive). */
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  /**
   * Most triggers per router invocation: one drain per skill and one position update per
   * skill serve the whole batch, so a burst of starts is routed by a few invocations instead
   * of one per 10 triggers each re-reading the queue and re-telling its positions. Above 10
   * needs the batching window below (AWS: at least a second); the drain itself stays bounded
   * by MAX_DECISIONS_PER_RUN, so the router's timeout does not depend on it.
   */
  batchSize: 100,
  /** Short: routing latency is what a waiting customer feels (a batch goes as soon as it is full). */
  maxBatchingWindowSeconds: 1,
  /**
   * Router invocations at once (the SQS event source's maximum concurrency). Routers draining
   * the same skill only race for its head, so more buys little, while a burst of triggers
   * could otherwise take a large share of the account's Lambda concurrency (1,000 by default,
   * shared with every WebSocket handler): docs/routing.md "Router concurrency". Not reserved concurrency, which
   * would take the capacity from the rest of the account even when idle.
   */
  maxConcurrency: 10,
} as const;

/** CreateQueue attributes for the DLQ, as the CDK template sets them. */
export function deadLetterQueueAttributes(): Record<string, string> {
  return { MessageRetentionPeriod: String(ROUTING_QUEUE_SETTINGS.deadLetterRetentionSeconds) };
}

/** CreateQueue attributes for the routing queue, as the CDK template sets them. */
export function routingQueueAttributes(deadLetterQueueArn: string): Record<string, string> {
  return {
    VisibilityTimeout: String(ROUTING_QUEUE_SETTINGS.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(ROUTING_QUEUE_SETTINGS.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: ROUTING_QUEUE_SETTINGS.maxReceiveCount }),
  };
}
