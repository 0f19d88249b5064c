import { Duration, Stack } from 'aws-cdk-lib';
import type { WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  type IMetric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ParleyFunction } from './parley-function';

/** Percentage of invocations that may fail in five minutes before someone is told. */
export const LAMBDA_ERROR_RATE_THRESHOLD_PERCENT = 5;
/** A conversation waiting this long for routing means the router is stuck or failing. */
export const QUEUE_AGE_THRESHOLD_SECONDS = 60;

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

export interface MonitoringProps {
  readonly functions: readonly ParleyFunction[];
  readonly webSocketApi: WebSocketApi;
  readonly routingQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Subscribed to an SNS topic that receives every alarm, when given. */
  readonly alarmEmail?: string;
}

/** The operations dashboard and the alarms that page someone. */
export class MonitoringConstruct extends Construct {
  readonly dashboard: Dashboard;
  readonly deadLetterAlarm: Alarm;
  readonly queueAgeAlarm: Alarm;
  readonly functionErrorAlarms: readonly Alarm[];
  readonly alarmTopic?: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterQueueNotEmpty', {
      alarmName: `${prefix}-routing-dlq-not-empty`,
      alarmDescription: 'Routing jobs failed five times and were parked in the dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.queueAgeAlarm = new Alarm(this, 'RoutingQueueAge', {
      alarmName: `${prefix}-routing-queue-age`,
      alarmDescription: `A routing job has waited more than ${QUEUE_AGE_THRESHOLD_SECONDS} s: the router is stuck or failing.`,
      metric: props.routingQueue.metricApproximateAgeOfOldestMessage({ period: ONE_MINUTE, statistic: 'Maximum' }),
      threshold: QUEUE_AGE_THRESHOLD_SECONDS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // One alarm per few functions instead of one each: a stack holds at most 500 resources.
    this.functionErrorAlarms = errorAlarmGroups(props.functions).map(
      (group, index) =>
        new Alarm(this, `FunctionErrorRate${index + 1}`, {
          alarmName: `${prefix}-function-error-rate-${index + 1}`,
          alarmDescription:
            `More than ${LAMBDA_ERROR_RATE_THRESHOLD_PERCENT}% of one function's invocations failed, one of: ` +
            `${group.map((fn) => fn.name).join(', ')}. The dashboard's Lambda errors graph shows which.`,
          metric: highestErrorRate(group),
          threshold: LAMBDA_ERROR_RATE_THRESHOLD_PERCENT,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );

    const alarms = [this.deadLetterAlarm, this.queueAgeAlarm, ...this.functionErrorAlarms];
    if (props.alarmEmail !== undefined) {
      const topic = new Topic(this, 'AlarmTopic', { displayName: `${prefix} alarms`, enforceSSL: true });
      topic.addSubscription(new EmailSubscription(props.alarmEmail));
      const action = new SnsAction(topic);
      for (const alarm of alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      this.alarmTopic = topic;
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${prefix}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(new TextWidget({ markdown: `# ${prefix}: Parley operations`, width: 24, height: 1 }));
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 }));
    this.dashboard.addWidgets(...webSocketWidgets(props.webSocketApi));
    this.dashboard.addWidgets(...queueWidgets(props.routingQueue, props.deadLetterQueue));
    this.dashboard.addWidgets(...functionWidgets(props.functions));
  }
}

/** CloudWatch's hard limit on the metrics one metric-math alarm may read. */
export const MAX_METRICS_PER_ALARM = 10;
/** Each function's error rate reads two metrics, its errors and its invocations. */
export const FUNCTIONS_PER_ERROR_ALARM = MAX_METRICS_PER_ALARM / 2;

/** The functions in stack order, cut into groups one alarm can watch. */
export function errorAlarmGroups(functions: readonly ParleyFunction[]): ParleyFunction[][] {
  const groups: ParleyFunction[][] = [];
  for (let start = 0; start < functions.length; start += FUNCTIONS_PER_ERROR_ALARM) {
    groups.push(functions.slice(start, start + FUNCTIONS_PER_ERROR_ALARM));
  }
  return groups;
}

/**
 * The highest error rate among a group's functions, each function's rate computed on its own
 * (a busy function's successes must not hide a quiet one's failures).
 */
function highestErrorRate(group: readonly ParleyFunction[]): MathExpression {
  const rates = Object.fromEntries(group.map((fn, index) => [`rate${index}`, errorRate(fn, index)]));
  return new MathExpression({
    expression: `MAX([${Object.keys(rates).join(', ')}])`,
    usingMetrics: rates,
    label: 'highest function error %',
    period: FIVE_MINUTES,
  });
}

/** Failed invocations as a percentage, 0 when there were none; `index` keeps metric ids unique in a group. */
function errorRate(fn: ParleyFunction, index: number): MathExpression {
  const errors = `errors${index}`;
  const invocations = `invocations${index}`;
  return new MathExpression({
    expression: `IF(${invocations} > 0, 100 * ${errors} / ${invocations}, 0)`,
    usingMetrics: {
      [errors]: fn.lambda.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      [invocations]: fn.lambda.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' }),
    },
    label: `${fn.name} error %`,
    period: FIVE_MINUTES,
  });
}

function apiSum(api: WebSocketApi, metricName: string): IMetric {
  return api.metric(metricName, { statistic: 'Sum', period: ONE_MINUTE, label: metricName });
}

function webSocketWidgets(api: WebSocketApi): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'WebSocket connects and messages',
      left: [apiSum(api, 'ConnectCount'), apiSum(api, 'MessageCount')],
      width: 12,
    }),
    new GraphWidget({
      title: 'WebSocket errors',
      left: [apiSum(api, 'IntegrationError'), apiSum(api, 'ExecutionError'), apiSum(api, 'ClientError')],
      width: 12,
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
  return [
    new GraphWidget({
      title: 'Lambda errors',
      left: perFunction((fn) => fn.lambda.metricErrors({ period: ONE_MINUTE, statistic: 'Sum', label: fn.name })),
      width: 8,
    }),
    new GraphWidget({
      title: 'Lambda duration p99 (ms)',
      left: perFunction((fn) => fn.lambda.metricDuration({ period: ONE_MINUTE, statistic: 'p99', label: fn.name })),
      width: 8,
    }),
    new GraphWidget({
      title: 'Lambda throttles',
      left: perFunction((fn) => fn.lambda.metricThrottles({ period: ONE_MINUTE, statistic: 'Sum', label: fn.name })),
      width: 8,
    }),
  ];
}
