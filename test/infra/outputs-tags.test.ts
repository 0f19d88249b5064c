import { describe, expect, it } from 'vitest';
import { logicalIdOf, synthParley } from './synth-parley';

const { stack, template } = synthParley({ context: { costCenter: 'support-ops' } });

describe('stack outputs for operators', () => {
  it('names the identified-customer key secret, the dead-letter queue and the alarm topic', () => {
    template.hasOutput('IdentifiedCustomerKeyArn', { Value: { Ref: logicalIdOf(stack.storage.identifiedCustomerSecret) } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: logicalIdOf(stack.routing.deadLetterQueue) } });
    template.hasOutput('DeadLetterQueueArn', { Value: { 'Fn::GetAtt': [logicalIdOf(stack.routing.deadLetterQueue), 'Arn'] } });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: logicalIdOf(stack.monitoring.alarmTopic) } });
  });
});

describe('tags', () => {
  const tagsOf = (construct: Parameters<typeof logicalIdOf>[0]) => {
    const resource = template.toJSON().Resources[logicalIdOf(construct)] as { Properties: { Tags?: { Key: string; Value: string }[] } };
    return Object.fromEntries((resource.Properties.Tags ?? []).map(({ Key, Value }) => [Key, Value]));
  };

  it('tags resources with the application, the stack and the cost center', () => {
    for (const construct of [stack.storage.table, stack.routing.queue, stack.monitoring.alarmTopic, stack.functions[0]!.lambda]) {
      expect(tagsOf(construct)).toMatchObject({ Application: 'parley', StackName: 'Parley', CostCenter: 'support-ops' });
    }
  });

  it('leaves the cost center out when the context gives none', () => {
    const plain = synthParley();
    const resource = plain.template.toJSON().Resources[logicalIdOf(plain.stack.storage.table)] as {
      Properties: { Tags: { Key: string }[] };
    };
    expect(resource.Properties.Tags.map(({ Key }) => Key)).not.toContain('CostCenter');
  });
});
