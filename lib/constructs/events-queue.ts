import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS_QUEUE_SETTINGS } from '../events-queue-settings';

/**
 * The events queue (docs/events.md): what happened, as domain events, published after each
 * stored change and consumed by the events consumer (EventsConsumerConstruct), which runs the
 * registered sinks. Its DLQ keeps events a sink failed on five times, for a redrive.
 */
export class EventsQueueConstruct extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(EVENTS_QUEUE_SETTINGS.deadLetterRetentionSeconds),
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(EVENTS_QUEUE_SETTINGS.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(EVENTS_QUEUE_SETTINGS.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: EVENTS_QUEUE_SETTINGS.maxReceiveCount },
    });
  }
}
