import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The router Lambda's timeout; the queue's visibility timeout is derived from it. */
export const ROUTER_TIMEOUT = Duration.seconds(30);

/**
 * AWS's guidance for SQS event sources: a visibility timeout of at least six times the
 * function timeout, so batches still being retried by the poller are not redelivered.
 */
export const ROUTING_VISIBILITY_TIMEOUT = Duration.seconds(ROUTER_TIMEOUT.toSeconds() * 6);

/** Redeliveries before a routing job is parked in the dead-letter queue. */
export const ROUTING_MAX_RECEIVE_COUNT = 5;

/**
 * The routing queue (conversations waiting for an agent, re-routing after transfers and
 * status changes) and its dead-letter queue. Its consumer is the RouterConstruct, built
 * after the WebSocket API because the router posts to connections and the WebSocket
 * handlers send to this queue.
 */
export class RoutingConstruct extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: ROUTING_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ROUTING_MAX_RECEIVE_COUNT },
    });
  }
}
