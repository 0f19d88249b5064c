import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENTS_CONSUMER } from '../../functions/routes';
import { EVENTS_CONSUMER_TIMEOUT_SECONDS, EVENTS_QUEUE_SETTINGS } from '../events-queue-settings';
import { ParleyFunction } from './parley-function';
import type { ParleyResources } from './parley-resources';

export interface EventsConsumerProps {
  readonly resources: ParleyResources;
  /** The events queue it consumes. */
  readonly queue: IQueue;
  /** A queue consumers' log group (the router's): one log group less in the stack's resource budget. */
  readonly logGroup: ILogGroup;
}

/** The events consumer Lambda (functions/handlers/queue/events.ts) on the events queue, with partial batch failures. */
export class EventsConsumerConstruct extends Construct {
  readonly consumer: ParleyFunction;

  constructor(scope: Construct, id: string, props: EventsConsumerProps) {
    super(scope, id);

    this.consumer = new ParleyFunction(this, 'Consumer', {
      name: EVENTS_CONSUMER.name,
      entry: EVENTS_CONSUMER.entry,
      needs: EVENTS_CONSUMER.needs,
      resources: props.resources,
      logGroup: props.logGroup,
      timeout: Duration.seconds(EVENTS_CONSUMER_TIMEOUT_SECONDS),
      description: 'Parley events consumer: runs the domain-event sinks (reports, ...)',
    });

    this.consumer.lambda.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: EVENTS_QUEUE_SETTINGS.batchSize,
        maxBatchingWindow: Duration.seconds(EVENTS_QUEUE_SETTINGS.maxBatchingWindowSeconds),
        reportBatchItemFailures: true,
      }),
    );
  }
}
