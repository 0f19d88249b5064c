import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOK_DELIVERY_FUNCTION } from '../../functions/routes';
import { WEBHOOK_QUEUE_SETTINGS, WEBHOOK_WORKER_TIMEOUT_SECONDS } from '../webhook-queue-settings';
import { ParleyFunction } from './parley-function';
import type { ParleyResources } from './parley-resources';

/**
 * The `webhook-deliveries` queue and its DLQ (docs/webhooks.md). Built with the other queues,
 * before any function: the webhooks API and the events consumer send to it.
 */
export class WebhookQueuesConstruct extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(WEBHOOK_QUEUE_SETTINGS.deadLetterRetentionSeconds),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(WEBHOOK_QUEUE_SETTINGS.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(WEBHOOK_QUEUE_SETTINGS.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_QUEUE_SETTINGS.maxReceiveCount },
    });
  }
}

export interface WebhookWorkerProps {
  readonly resources: ParleyResources;
  readonly queues: WebhookQueuesConstruct;
  /** The queue consumers' log group (the router's), shared: one group per concern, not per function. */
  readonly logGroup: ILogGroup;
}

/** The delivery worker consuming the queue (partial batch failures, capped concurrency); the DLQ's alarm is with the others (monitoring-alarms.ts). */
export class WebhookWorkerConstruct extends Construct {
  readonly worker: ParleyFunction;
  readonly functionLogGroup: ILogGroup;

  constructor(scope: Construct, id: string, props: WebhookWorkerProps) {
    super(scope, id);
    this.functionLogGroup = props.logGroup;
    this.worker = new ParleyFunction(this, 'Worker', {
      name: WEBHOOK_DELIVERY_FUNCTION.name,
      entry: WEBHOOK_DELIVERY_FUNCTION.entry,
      needs: WEBHOOK_DELIVERY_FUNCTION.needs,
      resources: props.resources,
      logGroup: this.functionLogGroup,
      timeout: Duration.seconds(WEBHOOK_WORKER_TIMEOUT_SECONDS),
      description: 'Parley webhook deliveries: signs, POSTs, logs and schedules retries',
    });
    this.worker.lambda.addEventSource(
      new SqsEventSource(props.queues.queue, {
        batchSize: WEBHOOK_QUEUE_SETTINGS.batchSize,
        maxBatchingWindow: Duration.seconds(WEBHOOK_QUEUE_SETTINGS.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
        maxConcurrency: WEBHOOK_QUEUE_SETTINGS.maxConcurrency,
      }),
    );
  }
}
