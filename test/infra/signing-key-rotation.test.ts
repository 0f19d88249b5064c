import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SIGNING_KEY_ROTATION } from '../../functions/routes';
import { logicalIdOf, onlyResource, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const rotator = stack.signingKeyRotation.rotator;

describe('signing-key rotation', () => {
  it('rotates the signing-key secret every 30 days with the rotation function, and at once on deployment', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: logicalIdOf(stack.storage.signingKeysSecret) },
      RotationLambdaARN: { 'Fn::GetAtt': [logicalIdOf(rotator.lambda), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: true,
    });
    expect(SIGNING_KEY_ROTATION.rotationDays).toBe(30);
  });

  it('rotates nothing else: the verification keys are rewritten by that rotation, the site key by hand', () => {
    const schedule = onlyResource(template, 'AWS::SecretsManager::RotationSchedule');
    expect(schedule.Properties?.SecretId).toEqual({ Ref: logicalIdOf(stack.storage.signingKeysSecret) });
  });

  it('lets Secrets Manager (only) invoke the rotation function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(rotator.lambda), 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
    });
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [logicalIdOf(rotator.lambda), 'Arn'] } },
      }),
    );
    expect(permissions.map((permission) => (permission as { Properties: { Principal: string } }).Properties.Principal)).toEqual([
      'secretsmanager.amazonaws.com',
    ]);
  });

  it('is a Parley function covered by monitoring, with no table, queue or connection access', () => {
    expect(stack.functions).toContain(rotator);
    expect(rotator.needs).toEqual({ rotatesSigningKeys: true });
    // Error-rate alarms each watch a few functions and name them in their description.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('-function-error-rate-\\d+$'),
      AlarmDescription: Match.stringLikeRegexp(`\\b${SIGNING_KEY_ROTATION.name}\\b`),
      Metrics: Match.arrayWith([Match.objectLike({ Label: `${SIGNING_KEY_ROTATION.name} error %` })]),
    });
  });
});
