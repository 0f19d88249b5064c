import { Duration } from 'aws-cdk-lib';
import type { HttpApi, WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { ParleyFunction } from './parley-function';
import { BUSINESS_DURATION_METRICS, parleyMetric, SERVER_FAULT_BREAKDOWN_SEARCH } from './parley-metrics';

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

export interface DashboardSources {
  readonly title: string;
  readonly alarms: readonly Alarm[];
  readonly functions: readonly ParleyFunction[];
  readonly webSocketApi: WebSocketApi;
  readonly httpApi: HttpApi;
  readonly table: ITable;
  readonly routingQueue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** The dashboard's rows, top to bottom: alarms, business, faults, then each technical layer. */
export function dashboardRows(sources: DashboardSources): IWidget[][] {
  return [
    [new TextWidget({ markdown: `# ${sources.title}: Parley operations (runbook: docs/operations.md)`, width: 24, height: 1 })],
    // The live list, read when the dashboard is synthesized: alarms added later (the canary's) appear too.
    [new AlarmStatusWidget({ title: 'Alarms', alarms: sources.alarms as Alarm[], width: 24, height: 4 })],
    businessWidgets(),
    faultWidgets(),
    httpApiWidgets(sources.httpApi),
    webSocketWidgets(sources.webSocketApi),
    dynamoDbWidgets(sources.table),
    queueWidgets(sources.routingQueue, sources.deadLetterQueue),
    functionWidgets(sources.functions),
  ];
}

const sumOf = (name: Parameters<typeof parleyMetric>[0]) => parleyMetric(name, { period: FIVE_MINUTES, statistic: 'Sum', label: name });

function businessWidgets(): GraphWidget[] {
  const percentiles = BUSINESS_DURATION_METRICS.flatMap((name) =>
    ['p50', 'p90'].map((statistic) => parleyMetric(name, { period: FIVE_MINUTES, statistic, label: `${name} ${statistic}` })),
  );
  return [
    new GraphWidget({
      title: 'Conversations and messages (per 5 min)',
      left: [sumOf('ConversationsStarted'), sumOf('ConversationsAbandoned')],
      right: [sumOf('MessagesStored')],
      width: 8,
    }),
    new GraphWidget({ title: 'Queue wait, time to assignment, first response (s)', left: percentiles, width: 8 }),
    new GraphWidget({
      title: 'Deliveries to connections (per 5 min)',
      left: [sumOf('DeliveriesSent')],
      right: [sumOf('DeliveriesGone'), sumOf('DeliveriesFailed')],
      width: 8,
    }),
  ];
}

function faultWidgets(): GraphWidget[] {
  return [
    new GraphWidget({ title: 'Server faults', left: [sumOf('ServerFault')], width: 8 }),
    new GraphWidget({
      title: 'Server faults by route and dependency',
      left: [new MathExpression({ expression: SERVER_FAULT_BREAKDOWN_SEARCH, usingMetrics: {}, label: '', period: ONE_MINUTE })],
      width: 8,
    }),
    new GraphWidget({
      title: 'Rate limiting without Redis; reconcile runs',
      left: [sumOf('RateLimitFailOpen'), sumOf('RateLimitFailClosed')],
      right: [sumOf('ReconcileRuns')],
      width: 8,
    }),
  ];
}

function httpApiWidgets(api: HttpApi): GraphWidget[] {
  const sum = (metric: Metric, label: string) => metric.with({ period: ONE_MINUTE, statistic: 'Sum', label });
  return [
    new GraphWidget({ title: 'HTTP API requests', left: [sum(api.metricCount(), 'requests')], width: 8 }),
    new GraphWidget({
      title: 'HTTP API errors',
      left: [sum(api.metricClientError(), '4xx'), sum(api.metricServerError(), '5xx')],
      width: 8,
    }),
    new GraphWidget({
      title: 'HTTP API latency (ms)',
      left: ['p50', 'p99'].map((statistic) => api.metricLatency({ period: ONE_MINUTE, statistic, label: `latency ${statistic}` })),
      width: 8,
    }),
  ];
}

function webSocketWidgets(api: WebSocketApi): GraphWidget[] {
  const apiSum = (metricName: string): IMetric => api.metric(metricName, { statistic: 'Sum', period: ONE_MINUTE, label: metricName });
  return [
    new GraphWidget({
      title: 'WebSocket connects and messages',
      left: [apiSum('ConnectCount'), apiSum('MessageCount')],
      width: 12,
    }),
    new GraphWidget({
      title: 'WebSocket errors',
      left: [apiSum('IntegrationError'), apiSum('ExecutionError'), apiSum('ClientError')],
      width: 12,
    }),
  ];
}

/** The operations the handlers use most, for latency (DynamoDB publishes it per operation). */
const LATENCY_OPERATIONS = ['GetItem', 'Query', 'PutItem', 'UpdateItem'];

function dynamoDbWidgets(table: ITable): GraphWidget[] {
  const tableMetric = (metricName: string, statistic: string, label: string, extra: Record<string, string> = {}) =>
    new Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName, ...extra },
      statistic,
      period: ONE_MINUTE,
      label,
    });
  return [
    new GraphWidget({
      title: 'DynamoDB consumed capacity (table)',
      left: [
        tableMetric('ConsumedReadCapacityUnits', 'Sum', 'read units'),
        tableMetric('ConsumedWriteCapacityUnits', 'Sum', 'write units'),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'DynamoDB throttles (table; the alarm adds each index)',
      left: [
        tableMetric('ReadThrottleEvents', 'Sum', 'read throttles'),
        tableMetric('WriteThrottleEvents', 'Sum', 'write throttles'),
        tableMetric('SystemErrors', 'Sum', 'system errors'),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'DynamoDB latency p99 (ms)',
      left: LATENCY_OPERATIONS.map((operation) => tableMetric('SuccessfulRequestLatency', 'p99', operation, { Operation: operation })),
      width: 8,
    }),
  ];
}

function queueWidgets(queue: IQueue, deadLetterQueue: IQueue): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Routing queue depth',
      left: [queue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum', label: 'visible' })],
      width: 8,
    }),
    new GraphWidget({
      title: 'Routing queue: age of oldest message (s)',
      left: [queue.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum', label: 'age' })],
      width: 8,
    }),
    new GraphWidget({
      title: 'Dead-letter queue depth',
      left: [deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum', label: 'visible' })],
      width: 8,
    }),
  ];
}

function functionWidgets(functions: readonly ParleyFunction[]): GraphWidget[] {
  const perFunction = (pick: (fn: ParleyFunction) => IMetric) => functions.map(pick);
  const account = (metricName: string, statistic: string) =>
    new Metric({ namespace: 'AWS/Lambda', metricName, statistic, period: ONE_MINUTE, label: `account ${metricName}` });
  return [
    new GraphWidget({
      title: 'Lambda errors',
      left: perFunction((fn) => fn.lambda.metricErrors({ period: ONE_MINUTE, statistic: 'Sum', label: fn.name })),
      width: 6,
    }),
    new GraphWidget({
      title: 'Lambda duration p99 (ms)',
      left: perFunction((fn) => fn.lambda.metricDuration({ period: ONE_MINUTE, statistic: 'p99', label: fn.name })),
      width: 6,
    }),
    new GraphWidget({
      title: 'Lambda throttles',
      left: perFunction((fn) => fn.lambda.metricThrottles({ period: ONE_MINUTE, statistic: 'Sum', label: fn.name })),
      width: 6,
    }),
    new GraphWidget({
      title: 'Lambda concurrency (account)',
      left: [account('ConcurrentExecutions', 'Maximum')],
      right: [account('Throttles', 'Sum')],
      width: 6,
    }),
  ];
}
