import { describe, expect, it } from 'vitest';
import {
  FUNCTIONS_PER_ERROR_ALARM,
  LAMBDA_ERROR_RATE_THRESHOLD_PERCENT,
  MAX_METRICS_PER_ALARM,
  QUEUE_AGE_THRESHOLD_SECONDS,
} from '../../lib/constructs/monitoring';
import { BUSINESS_COUNT_METRICS, BUSINESS_DURATION_METRICS } from '../../lib/constructs/parley-metrics';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

const ALARM_EMAIL = 'oncall@example.com';
const { stack, template } = synthParley({ context: { alarmEmail: ALARM_EMAIL } });
const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
const topicId = logicalIdOf(stack.monitoring.alarmTopic);
type MetricQuery = { Id: string; Expression?: string; MetricStat?: unknown; ReturnData: boolean; Label?: string };
const errorRateAlarms = alarms.filter((alarm) => String(alarm.Properties?.AlarmName).startsWith('Parley-function-error-rate-'));
const queriesOf = (alarm: (typeof alarms)[number]) => alarm.Properties?.Metrics as MetricQuery[];

/** The dashboard body with CloudFormation references flattened into text. */
function dashboardBody(): string {
  const dashboard = onlyResource(template, 'AWS::CloudWatch::Dashboard');
  return JSON.stringify(dashboard.Properties?.DashboardBody);
}

describe('dashboard', () => {
  it('is named after the stack and the region (dashboard names are global to the account)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['Parley-operations-', { Ref: 'AWS::Region' }]] },
    });
  });

  it('graphs Lambda errors, duration and throttles for every function', () => {
    const body = dashboardBody();
    for (const metric of ['Errors', 'Duration', 'Throttles']) expect(body).toContain(`\\"${metric}\\"`);
    for (const fn of stack.functions) expect(body, fn.name).toContain(logicalIdOf(fn.lambda));
  });

  it('graphs WebSocket connects, messages and integration errors', () => {
    const body = dashboardBody();
    for (const metric of ['ConnectCount', 'MessageCount', 'IntegrationError']) expect(body).toContain(`\\"${metric}\\"`);
    expect(body).toContain(logicalIdOf(stack.realtime.webSocketApi));
  });

  it('graphs routing queue depth, age of oldest message and dead-letter depth', () => {
    const body = dashboardBody();
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain(logicalIdOf(stack.routing.queue));
    expect(body).toContain(logicalIdOf(stack.routing.deadLetterQueue));
  });
});

describe('dashboard: business and fault metrics from the shared contract', () => {
  it('graphs every business metric beside the technical ones', () => {
    const body = dashboardBody();
    for (const metric of [...BUSINESS_COUNT_METRICS, ...BUSINESS_DURATION_METRICS]) expect(body, metric).toContain(`\\"${metric}\\"`);
    expect(body).toContain('\\"Parley\\"');
  });

  it('graphs ServerFault, its breakdown by route and dependency, fail-opens and reconcile runs', () => {
    const body = dashboardBody();
    for (const metric of ['ServerFault', 'RateLimitFailOpen', 'RateLimitFailClosed', 'ReconcileRuns'])
      expect(body, metric).toContain(`\\"${metric}\\"`);
    expect(body).toContain('SEARCH(');
    expect(body).toContain('{Parley,dependency,route,service}');
  });

  it('graphs the HTTP API (requests, 4xx, 5xx, latency), DynamoDB and Lambda concurrency', () => {
    const body = dashboardBody();
    for (const metric of ['Count', '4xx', '5xx', 'Latency']) expect(body, metric).toContain(`\\"${metric}\\"`);
    expect(body).toContain(logicalIdOf(stack.http.httpApi));
    for (const metric of [
      'ConsumedReadCapacityUnits',
      'ConsumedWriteCapacityUnits',
      'ReadThrottleEvents',
      'WriteThrottleEvents',
      'SuccessfulRequestLatency',
    ]) {
      expect(body, metric).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain(logicalIdOf(stack.storage.table));
    expect(body).toContain('\\"ConcurrentExecutions\\"');
  });

  it('lists every alarm on its alarm status widget', () => {
    const body = dashboardBody();
    for (const alarm of Object.keys(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) expect(body, alarm).toContain(alarm);
  });
});

describe('alarms', () => {
  it('fires as soon as the dead-letter queue holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.routing.deadLetterQueue), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
  });

  it('fires when a routing job has waited more than 60 seconds', () => {
    expect(QUEUE_AGE_THRESHOLD_SECONDS).toBe(60);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.routing.queue), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 60,
    });
  });

  it("watches every function's own error rate, each function in exactly one alarm", () => {
    for (const fn of stack.functions) {
      const reading = errorRateAlarms.filter((alarm) => JSON.stringify(queriesOf(alarm)).includes(`"${logicalIdOf(fn.lambda)}"`));
      expect(reading, fn.name).toHaveLength(1);
      const alarm = reading[0]!;
      expect(alarm.Properties?.Threshold).toBe(LAMBDA_ERROR_RATE_THRESHOLD_PERCENT);
      expect(alarm.Properties?.AlarmDescription).toContain(fn.name);
      // The function's rate is its own errors over its own invocations, not the group's sums.
      const rate = queriesOf(alarm).find((query) => query.Label === `${fn.name} error %`)!;
      const [, invocations, errors] = /^IF\((\w+) > 0, 100 \* (\w+) \/ \1, 0\)$/.exec(rate.Expression ?? '') ?? [];
      const metricOf = (id: string | undefined) => JSON.stringify(queriesOf(alarm).find((query) => query.Id === id)?.MetricStat);
      expect(metricOf(errors)).toContain('"Errors"');
      expect(metricOf(invocations)).toContain('"Invocations"');
      for (const id of [errors, invocations]) expect(metricOf(id)).toContain(`"${logicalIdOf(fn.lambda)}"`);
    }
  });

  it('alarms on the highest rate of a group, within CloudWatch limits (10 metrics, 10 expressions an alarm)', () => {
    expect(errorRateAlarms).toHaveLength(Math.ceil(stack.functions.length / FUNCTIONS_PER_ERROR_ALARM));
    expect(errorRateAlarms.length).toBeLessThan(stack.functions.length / 4);
    for (const alarm of errorRateAlarms) {
      const queries = queriesOf(alarm);
      expect(queries.filter((query) => query.MetricStat !== undefined).length).toBeLessThanOrEqual(MAX_METRICS_PER_ALARM);
      expect(queries.filter((query) => query.Expression !== undefined).length).toBeLessThanOrEqual(10);
      const returned = queries.filter((query) => query.ReturnData);
      expect(returned).toHaveLength(1);
      const rates = queries.filter((query) => !query.ReturnData && query.Label?.endsWith(' error %')).map((query) => query.Id);
      expect(returned[0]!.Expression).toBe(`MAX([${rates.join(', ')}])`);
    }
  });

  it('treats missing data as fine, so idle periods do not page anyone, except for the reconcile heartbeat', () => {
    for (const alarm of alarms) {
      const expected = alarm.Properties?.AlarmName === 'Parley-reconcile-missing' ? 'breaching' : 'notBreaching';
      expect(alarm.Properties?.TreatMissingData, String(alarm.Properties?.AlarmName)).toBe(expected);
    }
  });
});

describe('alarm notifications', () => {
  it('mails the alarm address through an SSL-only topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: ALARM_EMAIL,
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
      },
    });
  });

  it('sends every alarm, and its recovery, to the topic', () => {
    expect(alarms.length).toBe(errorRateAlarms.length + Object.keys(stack.monitoring.alarms).length);
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties?.OKActions).toEqual([{ Ref: topicId }]);
    }
  });
});
