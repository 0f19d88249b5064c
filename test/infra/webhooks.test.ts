import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENTS_CONSUMER, WEBHOOK_DELIVERY_FUNCTION } from '../../functions/routes';
import { WEBHOOK_QUEUE_SETTINGS } from '../../lib/webhook-queue-settings';
import { logicalIdOf, synthParley } from './synth-parley';

/** The webhook-deliveries queue, its DLQ and alarm, and the worker's event source mapping (docs/webhooks.md). */
const { stack, template } = synthParley();
const queueId = logicalIdOf(stack.webhookQueues.queue);
const dlqId = logicalIdOf(stack.webhookQueues.deadLetterQueue);
const workerId = logicalIdOf(stack.webhooks.worker.lambda);

describe('webhook deliveries on AWS', () => {
  it('queue encrypted, its visibility six times the worker timeout, parking in the DLQ after maxReceiveCount', () => {
    const queue = template.toJSON().Resources[queueId];
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: WEBHOOK_QUEUE_SETTINGS.visibilityTimeoutSeconds,
      MessageRetentionPeriod: WEBHOOK_QUEUE_SETTINGS.retentionSeconds,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: WEBHOOK_QUEUE_SETTINGS.maxReceiveCount },
    });
    expect(template.toJSON().Resources[dlqId].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: WEBHOOK_QUEUE_SETTINGS.deadLetterRetentionSeconds,
    });
  });

  it('both queues refuse requests without TLS', () => {
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Action: 'sqs:*' }),
          ]),
        },
      });
    }
  });

  it('the worker consumes the queue with partial batch failures and capped concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: workerId },
      BatchSize: WEBHOOK_QUEUE_SETTINGS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: WEBHOOK_QUEUE_SETTINGS.maxConcurrency },
    });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (mapping) => JSON.stringify(mapping.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }),
    );
    expect(mappings).toHaveLength(1);
  });

  it('an alarm on the DLQ notifies the alarm topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Parley-webhook-dlq-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp('docs/webhooks.md'),
      AlarmActions: [{ Ref: logicalIdOf(stack.monitoring.alarmTopic) }],
    });
  });

  it('every function gets the queue URL; only the worker, the webhooks API and the events consumer (the sink) may send to it', () => {
    const resources = template.toJSON().Resources;
    // A sanity floor: the check below walks every function (routes of a feature share one).
    expect(stack.functions.length).toBeGreaterThan(30);
    for (const fn of stack.functions) {
      const variables = resources[logicalIdOf(fn.lambda)].Properties.Environment.Variables;
      expect(variables.WEBHOOK_DELIVERY_QUEUE_URL, fn.name).toEqual({ Ref: queueId });
      expect(variables.WEBHOOK_ALLOW_LOCAL_HTTP, fn.name).toBeUndefined();
    }
    const senders = stack.functions.filter((fn) => fn.needs.webhookDeliveries === true).map((fn) => fn.name);
    expect(senders.sort()).toEqual([EVENTS_CONSUMER.name, WEBHOOK_DELIVERY_FUNCTION.name, 'webhooks'].sort());
  });
});
