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
    // Room for its bounded-parallel work at scale, within its one-minute period.
    const timeout = template.toJSON().Resources[lambdaId].Properties.Timeout as number;
    expect(timeout).toBe(reconcile!.definition.timeoutSeconds);
    expect(timeout).toBeGreaterThan(10);
    expect(timeout).toBeLessThan(60);
  });

  it('has one rule per scheduled function and nothing else scheduled', () => {
    expect(Object.keys(rules)).toHaveLength(SCHEDULED_FUNCTIONS.length);
  });

  it('reconciliation reads the table, writes conversations (abandoned chats, ticket offers) and what availability it announced, sends triggers and reads the Upstash secret', () => {
    const reconcile = stack.functions.find((fn) => fn.name === 'reconcile')!;
    const statements = statementsOfRole(template, logicalIdOf(reconcile.role));
    const actions = new Set(actionsOf(statements));
    expect(actions.has('dynamodb:Query')).toBe(true);
    expect(actions.has('dynamodb:Scan')).toBe(false);
    expect(actions.has('dynamodb:BatchWriteItem')).toBe(false);
    // The still-there notice and the close write conversation items and their messages; the
    // availability sweep remembers SKILL#<skill>/ANNOUNCED. Nothing else.
    const writeKeys = (action: 'PutItem' | 'UpdateItem') =>
      tableAccessOf('reconcile')
        .filter((grant) => grant.actions.includes(action))
        .flatMap((grant) => grant.keys)
        .sort();
    expect(writeKeys('PutItem')).toEqual(['CONV#*', 'SKILL#*']);
    expect(writeKeys('UpdateItem')).toEqual(['CONV#*']);
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      const granting = statements.filter((statement) => actionsOf([statement]).includes(write));
      expect(granting.length).toBeGreaterThan(0);
      for (const statement of granting) {
        const condition = (statement.Condition as Record<string, Record<string, string | string[]>>)['ForAllValues:StringLike'];
        for (const key of [condition?.['dynamodb:LeadingKeys']].flat()) expect(['CONV#*', 'SKILL#*']).toContain(key);
      }
    }
    expect(actions.has('sqs:SendMessage')).toBe(true);
    expect(actions.has('secretsmanager:GetSecretValue')).toBe(true);
  });
});
