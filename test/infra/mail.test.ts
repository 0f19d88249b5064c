import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAIL_FUNCTIONS } from '../../functions/routes';
import { logicalIdOf, resourcesGranted, resourcesOfType, statementsOfRole, synthParley, actionsOf } from './synth-parley';

const MAIL_CONTEXT = { mailFrom: 'support@example.com', mailDomain: 'example.com', alarmEmail: 'oncall@example.com' };
const { stack, template } = synthParley({ nag: true, context: MAIL_CONTEXT });
const mail = stack.mail!;

const nagFindings = (target: Stack) => {
  const annotations = Annotations.fromStack(target);
  const nag = Match.stringLikeRegexp('AwsSolutions-');
  return [...annotations.findError('*', nag), ...annotations.findWarning('*', nag)].map(
    (message) => `${message.id}: ${String(message.entry.data).split('\n')[0]}`,
  );
};

describe('the Mail construct (context mailFrom and mailDomain)', () => {
  it('is composed only when the context names a mail identity', () => {
    expect(mail).toBeDefined();
    const plain = synthParley();
    expect(plain.stack.mail).toBeUndefined();
    expect(Object.keys(resourcesOfType(plain.template, 'AWS::SES::ConfigurationSet'))).toHaveLength(0);
    // Without mail, the transcript function has no SES grant and no MAIL_FROM: its mailer answers `unavailable`.
    const transcript = plain.stack.functions.find((fn) => fn.name === 'transcript')!;
    expect(actionsOf(statementsOfRole(plain.template, logicalIdOf(transcript.role)))).not.toContain('ses:SendEmail');
  });

  it('a configuration set sends bounces and complaints to an encrypted, TLS-only topic subscribed by the events function', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'Parley-mail',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: Match.anyValue(),
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: { TopicARN: { Ref: logicalIdOf(mail.eventsTopic) } },
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(mail.eventsKey), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' }, 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalIdOf(mail.eventsTopic) },
      Endpoint: { 'Fn::GetAtt': [logicalIdOf(mail.eventsFunction.lambda), 'Arn'] },
    });
  });

  it('creates the domain identity with DKIM, tied to the configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.com',
      DkimAttributes: { SigningEnabled: true },
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: logicalIdOf(mail.configurationSet) } },
    });
    const referenced = synthParley({ context: { ...MAIL_CONTEXT, mailCreateIdentity: 'false' } });
    expect(Object.keys(resourcesOfType(referenced.template, 'AWS::SES::EmailIdentity'))).toHaveLength(0);
  });

  it('a receipt rule for the reply domain stores mail in a private, encrypted, TLS-only, expiring bucket only SES may write', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      RuleSetName: 'Parley-inbound',
      Rule: {
        Name: 'ticket-replies',
        Enabled: true,
        Recipients: ['reply.example.com'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [{ S3Action: { BucketName: { Ref: logicalIdOf(mail.inboundBucket) }, ObjectKeyPrefix: 'inbound/' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: { Ref: logicalIdOf(mail.inboundLogBucket) } }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalIdOf(mail.inboundBucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    const rule = Object.values(resourcesOfType(template, 'AWS::SES::ReceiptRule'))[0]!;
    expect(JSON.stringify(rule.DependsOn)).toContain('Policy');
    // Not activated by the stack: one rule set is active per account and region (docs/mail.md).
    expect(Object.keys(resourcesOfType(template, 'AWS::SES::ReceiptRuleSet'))).toHaveLength(1);
    const output = template.findOutputs('MailActivateReceiptRuleSet');
    expect(JSON.stringify(output)).toContain('aws ses set-active-receipt-rule-set --rule-set-name Parley-inbound --region ');
  });

  it('new objects invoke the inbound function, which may read inbound objects and nothing else in the bucket', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbound/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf(mail.inboundFunction.lambda), 'Arn'] },
          }),
        ],
      },
    });
    const statements = statementsOfRole(template, logicalIdOf(mail.inboundFunction.role));
    const s3Actions = actionsOf(statements).filter((action) => action.startsWith('s3:'));
    expect(s3Actions).toEqual(['s3:GetObject']);
    expect(resourcesGranted(statements, 's3:GetObject')).toEqual([
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(mail.inboundBucket), 'Arn'] }, '/inbound/*']] }),
    ]);
    expect(actionsOf(statements)).not.toContain('ses:SendEmail');
  });

  it('ses:SendEmail only on the identity and the configuration set, only for functions that email; MAIL_* set on every function', () => {
    const senders = stack.functions.filter((fn) => actionsOf(statementsOfRole(template, logicalIdOf(fn.role))).includes('ses:SendEmail'));
    expect(senders.map((fn) => fn.name)).toEqual(stack.functions.filter((fn) => fn.needs.mail === true).map((fn) => fn.name));
    expect(senders.map((fn) => fn.name)).toContain('transcript');
    const granted = resourcesGranted(statementsOfRole(template, logicalIdOf(senders[0]!.role)), 'ses:SendEmail');
    expect(granted).toHaveLength(2);
    expect(granted.some((arn) => arn.includes(':identity/example.com'))).toBe(true);
    expect(granted.some((arn) => arn.includes(':configuration-set/Parley-mail'))).toBe(true);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MAIL_FROM: 'support@example.com',
          MAIL_REPLY_DOMAIN: 'reply.example.com',
          MAIL_CONFIGURATION_SET: 'Parley-mail',
        }),
      },
    });
    const events = stack.functions.find((fn) => fn.name === MAIL_FUNCTIONS.events.name)!;
    expect(actionsOf(statementsOfRole(template, logicalIdOf(events.role))).filter((action) => action.startsWith('dynamodb:'))).toEqual([
      'dynamodb:PutItem',
    ]);
  });

  it('validates the mail context', () => {
    expect(() => synthParley({ context: { mailFrom: 'support@example.com' } })).toThrow(/mailFrom and mailDomain go together/);
    expect(() => synthParley({ context: { mailFrom: 'support@other.example', mailDomain: 'example.com' } })).toThrow(
      /address on mailDomain/,
    );
  });

  it('cdk-nag reports nothing unsuppressed with mail on', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});
