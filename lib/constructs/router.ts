import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTER_ENTRY, ROUTER_NEEDS } from '../../functions/routes';
import { functionLogGroup } from './function-log-group';
import { ParleyFunction } from './parley-function';
import type { ParleyResources } from './parley-resources';
import { ROUTING_QUEUE_SETTINGS } from '../routing-queue-settings';
import { ROUTER_TIMEOUT } from './routing';

export interface RouterProps {
  readonly resources: ParleyResources;
  /** The queue the router consumes (the routing queue). */
  readonly queue: IQueue;
}

/** The router Lambda, consuming the routing queue with partial batch failures. */
export class RouterConstruct extends Construct {
  readonly router: ParleyFunction;
  readonly functionLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RouterProps) {
    super(scope, id);

    this.functionLogGroup = functionLogGroup(this);
    this.router = new ParleyFunction(this, 'Router', {
      name: 'router',
      entry: ROUTER_ENTRY,
      needs: ROUTER_NEEDS,
      resources: props.resources,
      logGroup: this.functionLogGroup,
      timeout: ROUTER_TIMEOUT,
      description: 'Parley router: assigns waiting conversations to agents',
    });

    this.router.lambda.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: ROUTING_QUEUE_SETTINGS.batchSize,
        maxBatchingWindow: Duration.seconds(ROUTING_QUEUE_SETTINGS.maxBatchingWindowSeconds),
        maxConcurrency: ROUTING_QUEUE_SETTINGS.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
