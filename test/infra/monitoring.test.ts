import { describe, expect, it } from 'vitest';
import { LAMBDA_ERROR_RATE_THRESHOLD_PERCENT, QUEUE_AGE_THRESHOLD_SECONDS } from '../../lib/constructs/monitoring';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

const ALARM_EMAIL = 'oncall@example.com';
const { stack, template } = synthParley({ context: { alarmEmail: ALARM_EMAIL } });
const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
const topicId = logicalIdOf(stack.monitoring.alarmTopic!);

/** The dashboard body with CloudFormation references flattened into text. */
function dashboardBody(): string {
  const dashboard = onlyResource(template, 'AWS::CloudWatch::Dashboard');
  return JSON.stringify(dashboard.Properties?.DashboardBody);
}

describe('dashboard', () => {
  it('is named after the stack', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Parley-operations' });
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

  it("watches every function's error rate", () => {
    const errorRateAlarms = alarms.filter((alarm) => Array.isArray(alarm.Properties?.Metrics));
    expect(errorRateAlarms).toHaveLength(stack.functions.length);
    for (const fn of stack.functions) {
      const alarm = errorRateAlarms.find((candidate) =>
        JSON.stringify(candidate.Properties?.Metrics).includes(`"${logicalIdOf(fn.lambda)}"`),
      );
      expect(alarm, fn.name).toBeDefined();
      expect(alarm?.Properties?.Threshold).toBe(LAMBDA_ERROR_RATE_THRESHOLD_PERCENT);
      const metrics = JSON.stringify(alarm?.Properties?.Metrics);
      expect(metrics).toContain('"Errors"');
      expect(metrics).toContain('"Invocations"');
    }
  });

  it('treats missing data as fine, so idle periods do not page anyone', () => {
    for (const alarm of alarms) expect(alarm.Properties?.TreatMissingData).toBe('notBreaching');
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
    expect(alarms.length).toBe(stack.functions.length + 2);
    for (const alarm of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties?.OKActions).toEqual([{ Ref: topicId }]);
    }
  });
});
