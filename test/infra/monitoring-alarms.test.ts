import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { INDEXES } from '../../functions/adapters/dynamodb/table-schema';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

// No alarm address: the topic exists anyway and every alarm still notifies it.
const { stack, template } = synthParley();
const topicId = logicalIdOf(stack.monitoring.alarmTopic);
const notifiesTopic = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] };
const PARLEY_SERVICE = [{ Name: 'service', Value: 'parley' }];

/** The one alarm named `Parley-<name>`, checked against the expected properties. */
function expectAlarm(name: string, properties: Record<string, unknown>) {
  const alarm = onlyResource(template, 'AWS::CloudWatch::Alarm', { AlarmName: `Parley-${name}` });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `Parley-${name}`, ...notifiesTopic, ...properties });
  return alarm;
}

const anyOccurrenceIn5Minutes = {
  Threshold: 0,
  ComparisonOperator: 'GreaterThanThreshold',
  EvaluationPeriods: 1,
  TreatMissingData: 'notBreaching',
};

describe('alarms on the shared metric contract (namespace Parley, service dimension only)', () => {
  it('ServerFault: any server fault in 5 minutes', () => {
    expectAlarm('server-fault', {
      Namespace: 'Parley',
      MetricName: 'ServerFault',
      Dimensions: PARLEY_SERVICE,
      Statistic: 'Sum',
      Period: 300,
      ...anyOccurrenceIn5Minutes,
    });
  });

  it('RateLimitFailOpen: any request let through unchecked in 5 minutes', () => {
    expectAlarm('rate-limit-fail-open', {
      Namespace: 'Parley',
      MetricName: 'RateLimitFailOpen',
      Dimensions: PARLEY_SERVICE,
      Statistic: 'Sum',
      Period: 300,
      ...anyOccurrenceIn5Minutes,
    });
  });

  it('ReconcileRuns: no completed run in 5 minutes, and no data at all counts as none', () => {
    expectAlarm('reconcile-missing', {
      Namespace: 'Parley',
      MetricName: 'ReconcileRuns',
      Dimensions: PARLEY_SERVICE,
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
  });
});

describe('alarms on AWS metrics', () => {
  it('HTTP API: any 5xx in 5 minutes', () => {
    expectAlarm('http-5xx', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalIdOf(stack.http.httpApi) } }],
      Statistic: 'Sum',
      Period: 300,
      ...anyOccurrenceIn5Minutes,
    });
  });

  it('WebSocket API: any integration error on the stage in 5 minutes', () => {
    expectAlarm('websocket-integration-errors', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'IntegrationError',
      Dimensions: Match.arrayWith([
        { Name: 'ApiId', Value: { Ref: logicalIdOf(stack.realtime.webSocketApi) } },
        { Name: 'Stage', Value: Match.anyValue() },
      ]),
      Statistic: 'Sum',
      Period: 300,
      ...anyOccurrenceIn5Minutes,
    });
  });

  it('Lambda: any throttled invocation in the account and region in 5 minutes', () => {
    const alarm = expectAlarm('lambda-throttles', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Statistic: 'Sum',
      Period: 300,
      ...anyOccurrenceIn5Minutes,
    });
    expect(alarm.Properties?.Dimensions).toBeUndefined();
  });

  it('DynamoDB: any read or write throttle on the table or any index in 5 minutes', () => {
    const alarm = expectAlarm('dynamodb-throttles', anyOccurrenceIn5Minutes);
    type MetricStat = {
      Stat: string;
      Period: number;
      Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
    };
    type Query = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: MetricStat };
    const queries = alarm.Properties?.Metrics as Query[];
    const metrics = queries.filter((query) => query.MetricStat !== undefined);
    expect(metrics.length).toBeLessThanOrEqual(10);
    const returned = queries.filter((query) => query.ReturnData !== false);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.Expression).toBe(`SUM([${metrics.map((query) => query.Id).join(', ')}])`);
    const watched = metrics.map(({ MetricStat }) => {
      expect(MetricStat!.Stat).toBe('Sum');
      expect(MetricStat!.Period).toBe(300);
      expect(MetricStat!.Metric.Namespace).toBe('AWS/DynamoDB');
      const dimensions = MetricStat!.Metric.Dimensions;
      expect(dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: logicalIdOf(stack.storage.table) } });
      const index = dimensions.find((dimension) => dimension.Name === 'GlobalSecondaryIndexName')?.Value ?? 'table';
      return `${index} ${MetricStat!.Metric.MetricName}`;
    });
    const expected = ['table', ...Object.values(INDEXES).map((index) => index.indexName)].flatMap((where) => [
      `${where} ReadThrottleEvents`,
      `${where} WriteThrottleEvents`,
    ]);
    expect(watched.sort()).toEqual(expected.sort());
  });

  it('Lambda concurrency: above 80% of the default account limit (1000) for 3 minutes', () => {
    const alarm = expectAlarm('lambda-concurrency-near-limit', {
      Namespace: 'AWS/Lambda',
      MetricName: 'ConcurrentExecutions',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 800,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties?.Dimensions).toBeUndefined();
  });

  it('Lambda concurrency: follows the accountConcurrencyLimit context value', () => {
    const raised = synthParley({ context: { accountConcurrencyLimit: '5000' } }).template;
    raised.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Parley-lambda-concurrency-near-limit', Threshold: 4000 });
  });

  it('dead-letter queue: one message parked', () => {
    expectAlarm('routing-dlq-not-empty', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.routing.deadLetterQueue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('routing backlog: the oldest job waited over 60 s for 2 minutes', () => {
    expectAlarm('routing-queue-age', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.routing.queue), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
    });
  });

  it('every alarm points at the runbook or the dashboard', () => {
    for (const alarm of Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'))) {
      expect(String(alarm.Properties?.AlarmDescription)).toMatch(/docs\/operations\.md|dashboard/);
    }
  });
});

describe('the alarm topic', () => {
  it('exists without an alarm address, encrypted with a rotated key CloudWatch may use', () => {
    const topic = onlyResource(template, 'AWS::SNS::Topic', { DisplayName: 'Parley alarms' });
    const {
      'Fn::GetAtt': [keyId],
    } = topic.Properties!.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
    const key = resourcesOfType(template, 'AWS::KMS::Key')[keyId]!;
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties?.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});
