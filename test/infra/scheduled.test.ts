import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SCHEDULED_FUNCTIONS, tableAccessOf } from '../../functions/routes';
import { actionsOf, logicalIdOf, resourcesOfType, statementsOfRole, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const rules = resourcesOfType(template, 'AWS::Events::Rule');

describe('scheduled functions', () => {
  it('reconciliation runs every minute on an EventBridge rule targeting its own Lambda', () => {
    const reconcile = stack.scheduled.scheduled.find((deployed) => deployed.definition.name === 'reconcile');
    expect(reconcile).toBeDefined();
    const lambdaId = logicalIdOf(reconcile!.handler.lambda);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [lambdaId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [lambdaId, 'Arn'] },
    });
  });

  it('has one rule per scheduled function and nothing else scheduled', () => {
    expect(Object.keys(rules)).toHaveLength(SCHEDULED_FUNCTIONS.length);
  });

  it('reconciliation reads the table, sends triggers and reads the Upstash secret, and writes only what availability it announced', () => {
    const reconcile = stack.functions.find((fn) => fn.name === 'reconcile')!;
    const actions = new Set(actionsOf(statementsOfRole(template, logicalIdOf(reconcile.role))));
    expect(actions.has('dynamodb:Query')).toBe(true);
    expect(actions.has('dynamodb:UpdateItem')).toBe(false);
    // Its one write: SKILL#<skill>/ANNOUNCED (the availability sweep's memory), nothing else.
    const writes = tableAccessOf('reconcile').filter((grant) => grant.actions.includes('PutItem'));
    expect(writes.map((grant) => grant.keys)).toEqual([['SKILL#*']]);
    expect(actions.has('sqs:SendMessage')).toBe(true);
    expect(actions.has('secretsmanager:GetSecretValue')).toBe(true);
  });
});
