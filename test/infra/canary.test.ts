import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CanaryConstruct } from '../../lib/constructs/canary';
import { logicalIdOf, onlyResource, resourcesOfType, statementsOfRole, synthParley } from './synth-parley';

const { stack, template } = synthParley({ context: { canary: 'true' } });
const canary = stack.canary!;

describe('the chat canary', () => {
  it('is off by default, so the default stack stays small', () => {
    const plain = synthParley();
    expect(plain.stack.canary).toBeUndefined();
    plain.template.resourceCountIs('AWS::Synthetics::Canary', 0);
  });

  it('runs the bundled round-trip script every 5 minutes on the plain Node.js Synthetics runtime', () => {
    template.hasResourceProperties('AWS::Synthetics::Canary', {
      Name: 'parley-chat-canary',
      RuntimeVersion: 'syn-nodejs-3.1',
      Schedule: { Expression: 'rate(5 minutes)' },
      Code: { Handler: 'index.handler' },
      ExecutionRoleArn: { 'Fn::GetAtt': [logicalIdOf(canary.role), 'Arn'] },
      ArtifactS3Location: Match.anyValue(),
      StartCanaryAfterCreation: true,
      RunConfig: Match.objectLike({
        TimeoutInSeconds: 120,
        EnvironmentVariables: {
          PARLEY_HTTP_URL: Match.anyValue(),
          PARLEY_WS_URL: Match.anyValue(),
          PARLEY_CANARY_SKILL: 'canary',
          PARLEY_CANARY_SECRET_ARN: { Ref: logicalIdOf(canary.agentSecret) },
        },
      }),
    });
  });

  it('bundles the handler where Synthetics looks for it', () => {
    const dir = CanaryConstruct.bundle();
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'nodejs', 'node_modules', 'index.js'))).toBe(true);
  });

  it('creates the canary agent credentials as a generated secret holding the email and a password', () => {
    const secret = resourcesOfType(template, 'AWS::SecretsManager::Secret')[logicalIdOf(canary.agentSecret)]!;
    expect(secret.Properties?.GenerateSecretString).toMatchObject({
      SecretStringTemplate: JSON.stringify({ email: 'canary@example.com' }),
      GenerateStringKey: 'password',
    });
  });

  it('keeps its artifacts in a private, encrypted, TLS-only bucket that expires them', () => {
    const bucketId = logicalIdOf(canary.artifactsBucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })]) },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('has a role with only what the runtime and the check need', () => {
    const role = resourcesOfType(template, 'AWS::IAM::Role')[logicalIdOf(canary.role)]!;
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const statements = (
      role.Properties!.Policies as {
        PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] };
      }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
    const granted = statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])).sort();
    expect(granted).toEqual(
      [
        'cloudwatch:PutMetricData',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetBucketLocation',
        's3:ListAllMyBuckets',
        's3:PutObject',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    const secretRead = statements.find((statement) => statement.Action === 'secretsmanager:GetSecretValue')!;
    expect(secretRead.Resource).toEqual({ Ref: logicalIdOf(canary.agentSecret) });
    const metrics = statements.find((statement) => statement.Action === 'cloudwatch:PutMetricData')!;
    expect(metrics.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } });
    expect(JSON.stringify(statements.find((statement) => String(statement.Action).startsWith('logs:'))?.Resource)).toContain(
      'log-group:/aws/lambda/cwsyn-parley-chat-canary-*',
    );
    // No other role may read the canary agent's password.
    for (const fn of stack.functions) {
      expect(JSON.stringify(statementsOfRole(template, logicalIdOf(fn.role))), fn.name).not.toContain(logicalIdOf(canary.agentSecret));
    }
  });

  it('alarms when two runs in a row fail or no run reports, and notifies the alarm topic', () => {
    const topicId = logicalIdOf(stack.monitoring.alarmTopic);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Parley-canary-failing',
      Namespace: 'CloudWatchSynthetics',
      MetricName: 'SuccessPercent',
      Dimensions: [{ Name: 'CanaryName', Value: { Ref: logicalIdOf(canary.canary) } }],
      Statistic: 'Average',
      Period: 300,
      Threshold: 100,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    const dashboard = JSON.stringify(onlyResource(template, 'AWS::CloudWatch::Dashboard').Properties?.DashboardBody);
    expect(dashboard).toContain(logicalIdOf(canary.alarm));
  });

  it('outputs the canary agent secret for the operator', () => {
    template.hasOutput('CanaryAgentSecretArn', { Value: { Ref: logicalIdOf(canary.agentSecret) } });
  });
});
