import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, type AlarmProps, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { INDEXES } from '../../functions/adapters/dynamodb/table-schema';
import { parleyMetric } from './parley-metrics';

/** A conversation waiting this long for routing means the router is stuck or failing. */
export const QUEUE_AGE_THRESHOLD_SECONDS = 60;
/** Share of the account's Lambda concurrency limit at which someone is told, before throttling starts. */
export const CONCURRENCY_ALARM_SHARE = 0.8;
/** Lambda's default per-region concurrency limit; the `accountConcurrencyLimit` context value overrides it. */
export const DEFAULT_ACCOUNT_CONCURRENCY_LIMIT = 1000;
/** Reconcile runs every minute (lib/constructs/scheduled.ts): none in this window means the schedule stopped. */
export const RECONCILE_WINDOW = Duration.minutes(5);

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

export interface ParleyAlarmsProps {
  readonly table: ITable;
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly routingQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** The events queue's DLQ (docs/events.md). */
  readonly eventsDeadLetterQueue: IQueue;
  readonly accountConcurrencyLimit: number;
}

/** The alarms that watch the system as a whole (function error rates are grouped separately). */
export interface ParleyAlarms {
  readonly serverFault: Alarm;
  readonly httpServerErrors: Alarm;
  readonly webSocketIntegrationErrors: Alarm;
  readonly lambdaThrottles: Alarm;
  readonly dynamoDbThrottles: Alarm;
  readonly concurrencyNearLimit: Alarm;
  readonly deadLetterQueue: Alarm;
  readonly eventsDeadLetterQueue: Alarm;
  /** A use case could not publish its domain events (EventsPublishFailed). */
  readonly eventsPublishFailed: Alarm;
  readonly routingQueueAge: Alarm;
  readonly reconcileMissing: Alarm;
  readonly rateLimitFailOpen: Alarm;
}

/** `> 0` over one period: any occurrence is worth a look. */
const anyOccurrence = {
  threshold: 0,
  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
  evaluationPeriods: 1,
  treatMissingData: TreatMissingData.NOT_BREACHING,
} as const;

export function createParleyAlarms(scope: Construct, props: ParleyAlarmsProps): ParleyAlarms {
  const prefix = Stack.of(scope).stackName;
  const alarm = (id: string, name: string, alarmProps: Omit<AlarmProps, 'alarmName'>) =>
    new Alarm(scope, id, { alarmName: `${prefix}-${name}`, ...alarmProps });

  return {
    serverFault: alarm('ServerFault', 'server-fault', {
      alarmDescription:
        'A handler answered a server fault (error frame, 5xx or swallowed failure): a dependency (DynamoDB, Redis, SQS, ' +
        'Secrets Manager, ...) failed. The dashboard graphs ServerFault by route and dependency. Runbook: docs/operations.md.',
      metric: parleyMetric('ServerFault', { period: FIVE_MINUTES, statistic: 'Sum' }),
      ...anyOccurrence,
    }),

    httpServerErrors: alarm('HttpServerErrors', 'http-5xx', {
      alarmDescription: 'The HTTP API answered 5xx: a handler fault, crash or timeout. Runbook: docs/operations.md.',
      metric: props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      ...anyOccurrence,
    }),

    webSocketIntegrationErrors: alarm('WebSocketIntegrationErrors', 'websocket-integration-errors', {
      alarmDescription:
        'The WebSocket stage could not run a route handler (IntegrationError: crash, timeout, throttle). Runbook: docs/operations.md.',
      metric: new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: 'IntegrationError',
        dimensionsMap: { ApiId: props.webSocketApi.apiId, Stage: props.webSocketStage.stageName },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      }),
      ...anyOccurrence,
    }),

    // Account-wide (no dimension): one alarm instead of one per ten functions; the dashboard's
    // per-function throttles graph shows which function it was.
    lambdaThrottles: alarm('LambdaThrottles', 'lambda-throttles', {
      alarmDescription:
        "Lambda refused invocations in this account and region (concurrency exhausted). The dashboard's Lambda throttles " +
        'graph shows which function. Runbook: docs/operations.md.',
      metric: new Metric({ namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum', period: FIVE_MINUTES }),
      ...anyOccurrence,
    }),

    dynamoDbThrottles: alarm('DynamoDbThrottles', 'dynamodb-throttles', {
      alarmDescription: 'DynamoDB throttled reads or writes on the table or one of its indexes. Runbook: docs/operations.md.',
      metric: dynamoDbThrottleEvents(props.table),
      ...anyOccurrence,
    }),

    concurrencyNearLimit: alarm('ConcurrencyNearLimit', 'lambda-concurrency-near-limit', {
      alarmDescription:
        `Lambda concurrent executions passed ${CONCURRENCY_ALARM_SHARE * 100}% of the account limit ` +
        `(${props.accountConcurrencyLimit}, context accountConcurrencyLimit) for 3 minutes: throttling is next. Runbook: docs/operations.md.`,
      metric: new Metric({ namespace: 'AWS/Lambda', metricName: 'ConcurrentExecutions', statistic: 'Maximum', period: ONE_MINUTE }),
      threshold: Math.floor(props.accountConcurrencyLimit * CONCURRENCY_ALARM_SHARE),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),

    deadLetterQueue: alarm('DeadLetterQueueNotEmpty', 'routing-dlq-not-empty', {
      alarmDescription:
        'Routing jobs failed five times (or could never succeed) and were parked in the dead-letter queue. ' +
        'Redrive with `npm run redrive` once the cause is fixed. Runbook: docs/operations.md.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),

    eventsDeadLetterQueue: alarm('EventsDeadLetterQueueNotEmpty', 'events-dlq-not-empty', {
      alarmDescription:
        'Domain events a sink (reports, ...) failed on five times were parked in the events dead-letter queue: ' +
        'reports miss them until they are redriven (npm run redrive). Runbook: docs/operations.md, docs/events.md.',
      metric: props.eventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),

    eventsPublishFailed: alarm('EventsPublishFailed', 'events-publish-failed', {
      alarmDescription:
        'A use case stored a change but could not publish its domain events (SQS failed): reports and other consumers ' +
        'miss them. Runbook: docs/operations.md, docs/events.md.',
      metric: parleyMetric('EventsPublishFailed', { period: FIVE_MINUTES, statistic: 'Sum' }),
      ...anyOccurrence,
    }),

    routingQueueAge: alarm('RoutingQueueAge', 'routing-queue-age', {
      alarmDescription: `A routing job has waited more than ${QUEUE_AGE_THRESHOLD_SECONDS} s: the router is stuck or failing. Runbook: docs/operations.md.`,
      metric: props.routingQueue.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: QUEUE_AGE_THRESHOLD_SECONDS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),

    // Missing data is the failure here: a schedule that stopped emits nothing at all.
    reconcileMissing: alarm('ReconcileMissing', 'reconcile-missing', {
      alarmDescription:
        'No reconcile run completed in 5 minutes (it runs every minute): presence, abandoned conversations and stale ' +
        'assignments are not being repaired. Runbook: docs/operations.md.',
      metric: parleyMetric('ReconcileRuns', { period: RECONCILE_WINDOW, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.BREACHING,
    }),

    rateLimitFailOpen: alarm('RateLimitFailOpen', 'rate-limit-fail-open', {
      alarmDescription:
        'A rate limiter could not reach Redis and let a request through unchecked (fail-open): abuse is not being limited. ' +
        'Runbook: docs/operations.md.',
      metric: parleyMetric('RateLimitFailOpen', { period: FIVE_MINUTES, statistic: 'Sum' }),
      ...anyOccurrence,
    }),
  };
}

/**
 * Read and write throttle events on the table and on each global secondary index (10 metrics,
 * CloudWatch's cap for one alarm), summed: an index throttles on its own and, when it does,
 * throttles writes to the table too.
 */
function dynamoDbThrottleEvents(table: ITable): MathExpression {
  const metrics: Record<string, Metric> = {};
  const throttles = (kind: 'Read' | 'Write', indexName?: string) =>
    new Metric({
      namespace: 'AWS/DynamoDB',
      metricName: `${kind}ThrottleEvents`,
      dimensionsMap: { TableName: table.tableName, ...(indexName === undefined ? {} : { GlobalSecondaryIndexName: indexName }) },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
  metrics.tableReads = throttles('Read');
  metrics.tableWrites = throttles('Write');
  Object.values(INDEXES).forEach(({ indexName }, index) => {
    metrics[`index${index}Reads`] = throttles('Read', indexName);
    metrics[`index${index}Writes`] = throttles('Write', indexName);
  });
  return new MathExpression({
    expression: `SUM([${Object.keys(metrics).join(', ')}])`,
    usingMetrics: metrics,
    label: 'DynamoDB throttle events (table and indexes)',
    period: FIVE_MINUTES,
  });
}
