import { describe, expect, it } from 'vitest';
import { EVENTS_CONSUMER } from '../../functions/routes';
import {
  EVENTS_CONSUMER_TIMEOUT_SECONDS,
  EVENTS_QUEUE_SETTINGS,
  eventsDeadLetterQueueAttributes,
  eventsQueueAttributes,
} from '../../lib/events-queue-settings';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

/** The events queue, its DLQ and alarm, and its consumer (docs/events.md). */
const { stack, template } = synthParley();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const queueId = logicalIdOf(stack.eventsQueue.queue);
const deadLetterId = logicalIdOf(stack.eventsQueue.deadLetterQueue);
const queue = resources[queueId]!.Properties;
const deadLetter = resources[deadLetterId]!.Properties;
const consumerId = logicalIdOf(stack.events.consumer.lambda);

describe('events queue', () => {
  it('is encrypted, TLS-only, and built from the definition the local stack creates it from', () => {
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(deadLetter.SqsManagedSseEnabled).toBe(true);
    const local = eventsQueueAttributes('arn:aws:sqs:us-east-1:000000000000:dlq');
    expect(String(queue.VisibilityTimeout)).toBe(local.VisibilityTimeout);
    expect(String(queue.MessageRetentionPeriod)).toBe(local.MessageRetentionPeriod);
    expect(queue.RedrivePolicy).toEqual({
      ...JSON.parse(local.RedrivePolicy!),
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
    });
    expect(String(deadLetter.MessageRetentionPeriod)).toBe(eventsDeadLetterQueueAttributes().MessageRetentionPeriod);
    for (const id of [queueId, deadLetterId]) {
      const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy')).filter((policy) =>
        JSON.stringify(policy.Properties?.Queues).includes(`"${id}"`),
      );
      expect(JSON.stringify(policies), id).toContain('aws:SecureTransport');
    }
  });

  it("hides in-flight events for six times the consumer's timeout", () => {
    expect(resources[consumerId]!.Properties.Timeout).toBe(EVENTS_CONSUMER_TIMEOUT_SECONDS);
    expect(queue.VisibilityTimeout).toBe(6 * EVENTS_CONSUMER_TIMEOUT_SECONDS);
  });

  it('feeds the events consumer with partial batch failures reported', () => {
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: consumerId } });
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: EVENTS_QUEUE_SETTINGS.batchSize,
      MaximumBatchingWindowInSeconds: EVENTS_QUEUE_SETTINGS.maxBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(stack.events.consumer.name).toBe(EVENTS_CONSUMER.name);
  });

  it('has the queue URL in every function environment (publishers need it; only `events` needs are granted SendMessage)', () => {
    for (const fn of stack.functions) {
      const variables = (resources[logicalIdOf(fn.lambda)]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.EVENTS_QUEUE_URL, fn.name).toEqual({ Ref: queueId });
    }
  });

  it('alarms as soon as an event is parked in its DLQ, and on any publish failure', () => {
    const alarms = Object.values(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));
    const dlq = alarms.find((alarm) => JSON.stringify(alarm.Properties?.Dimensions ?? []).includes(`"${deadLetterId}"`));
    expect(dlq?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarms.some((alarm) => alarm.Properties?.MetricName === 'EventsPublishFailed')).toBe(true);
    expect(stack.monitoring.alarms.eventsDeadLetterQueue).toBeDefined();
  });
});
