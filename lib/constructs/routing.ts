import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROUTER_TIMEOUT_SECONDS, ROUTING_QUEUE_SETTINGS } from '../routing-queue-settings';

/** The router Lambda's timeout; the queue's visibility timeout is derived from it (routing-queue-settings.ts). */
export const ROUTER_TIMEOUT = Duration.seconds(ROUTER_TIMEOUT_SECONDS);

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
      retentionPeriod: Duration.seconds(ROUTING_QUEUE_SETTINGS.deadLetterRetentionSeconds),
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(ROUTING_QUEUE_SETTINGS.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(ROUTING_QUEUE_SETTINGS.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ROUTING_QUEUE_SETTINGS.maxReceiveCount },
    });
  }
}
