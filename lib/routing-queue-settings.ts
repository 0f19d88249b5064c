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
   * skill serve the whole batch. 10 is the most AWS allows without a batching window.
   */
  batchSize: 10,
  /**
   * None: with a window Lambda holds every batch that is not full for the whole window, so each
   * routed start waited about a second even on a quiet system (it was 1 s with batches of 100;
   * AWS allows above 10 only with a window of at least a second). Without it a start is routed
   * as soon as its trigger is received; a burst runs more, smaller invocations instead, which
   * race for the same heads (docs/routing.md "A router batch": a few more requests per
   * conversation while a burst lasts, none when starts come one at a time).
   */
  maxBatchingWindowSeconds: 0,
  /**
   * Router invocations at once (the SQS event source's maximum concurrency; 2 is AWS's least).
   * Each drain serves every skill its batch names, and routers draining the same skill only
   * race for its head: without a batching window, more concurrency only turns a burst into many
   * small invocations racing (measured: 7.0 DynamoDB requests and 2.9 Redis commands per
   * conversation at 10 against 4.7 and 1.4 at 2), while triggers waiting for a slot are taken
   * ten at a time. It also keeps a burst from taking the account's Lambda concurrency (1,000 by
   * default, shared with every WebSocket handler): docs/routing.md "Router concurrency". Not
   * reserved concurrency, which would take the capacity from the rest of the account even when idle.
   */
  maxConcurrency: 2,
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
