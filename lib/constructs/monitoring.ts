import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createParleyAlarms, type ParleyAlarms } from './monitoring-alarms';
import { dashboardRows } from './monitoring-dashboard';
import { regionalName } from './naming';
import type { ParleyFunction } from './parley-function';

export { QUEUE_AGE_THRESHOLD_SECONDS } from './monitoring-alarms';

/** Percentage of invocations that may fail in five minutes before someone is told. */
export const LAMBDA_ERROR_RATE_THRESHOLD_PERCENT = 5;

const FIVE_MINUTES = Duration.minutes(5);

export interface MonitoringProps {
  readonly functions: readonly ParleyFunction[];
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly httpApi: HttpApi;
  readonly table: ITable;
  readonly routingQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** The events queue's DLQ (docs/events.md). */
  readonly eventsDeadLetterQueue: IQueue;
  /** The account's Lambda concurrency limit in this region (context `accountConcurrencyLimit`). */
  readonly accountConcurrencyLimit: number;
  /** Subscribed to the alarm topic, when given. */
  readonly alarmEmail?: string;
}

/** The operations dashboard, the alarms that page someone, and the topic they page through. */
export class MonitoringConstruct extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: ParleyAlarms;
  readonly deadLetterAlarm: Alarm;
  readonly queueAgeAlarm: Alarm;
  readonly functionErrorAlarms: readonly Alarm[];
  /** Every alarm, its recovery too, is sent here (encrypted, TLS-only). */
  readonly alarmTopic: Topic;
  private readonly alarmAction: SnsAction;
  private readonly everyAlarm: Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;

    // CloudWatch cannot publish to a topic under the AWS-managed SNS key: it needs a key whose
    // policy lets CloudWatch use it.
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: `${prefix} alarm topic encryption`,
      enableKeyRotation: true,
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `${prefix} alarms`, enforceSSL: true, masterKey: topicKey });
    if (props.alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.alarmAction = new SnsAction(this.alarmTopic);

    this.alarms = createParleyAlarms(this, props);
    this.deadLetterAlarm = this.alarms.deadLetterQueue;
    this.queueAgeAlarm = this.alarms.routingQueueAge;

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

    this.everyAlarm = [];
    for (const alarm of [...Object.values(this.alarms), ...this.functionErrorAlarms]) this.addAlarm(alarm);

    // Dashboards are global to the account: the region keeps a second deployment's apart.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: regionalName(this, 'operations'),
      defaultInterval: Duration.hours(3),
      widgets: dashboardRows({ ...props, title: prefix, alarms: this.everyAlarm }),
    });
  }

  /** Sends an alarm, and its recovery, to the alarm topic and lists it on the dashboard's status widget. */
  addAlarm(alarm: Alarm): void {
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.everyAlarm.push(alarm);
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
