import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { MAIL_FUNCTIONS } from '../../functions/routes';
import type { MailContext } from '../parley-context';
import { accessLogBucket } from './access-log-bucket';
import { functionLogGroup } from './function-log-group';
import { ParleyFunction } from './parley-function';
import type { MailResources, ParleyResources } from './parley-resources';

/** Where SES receiving writes each message in the inbound bucket. */
export const INBOUND_PREFIX = 'inbound/';

/**
 * The names and ARNs the functions that send mail are configured and granted with; computed
 * from context before any function exists, so the WebSocket and HTTP functions (built before
 * this construct) get MAIL_* and ses:SendEmail on exactly this identity and configuration set.
 */
export function mailResourcesFor(scope: Construct, mail: MailContext): MailResources {
  const stack = Stack.of(scope);
  const configurationSetName = `${stack.stackName}-mail`.slice(0, 64);
  return {
    from: mail.from,
    replyDomain: mail.replyDomain,
    configurationSetName,
    identityArn: stack.formatArn({ service: 'ses', resource: 'identity', resourceName: mail.domain }),
    configurationSetArn: stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSetName }),
    inboundPrefix: INBOUND_PREFIX,
  };
}

export interface MailProps {
  readonly mail: MailContext;
  readonly resources: ParleyResources & { readonly mail: MailResources };
}

/**
 * SES v2 sending and SES receiving for ticket mail (docs/mail.md):
 * - a configuration set whose event destination (an encrypted, TLS-only SNS topic) sends
 *   bounces and complaints to the events function, which marks the addresses;
 * - the domain identity (created, with DKIM, or referenced);
 * - a receipt rule set whose rule stores mail for the reply domain in a private, encrypted,
 *   TLS-only bucket that only SES (this account, this rule) may write, expiring after the
 *   retention; each new object invokes the inbound function, which may read it and nothing else.
 * The receipt rule set is NOT activated here: a region has one active rule set per account, and
 * activating ours would silently switch off any other. `ActivateRuleSetCommand` says how.
 */
export class MailConstruct extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity?: ses.EmailIdentity;
  readonly eventsTopic: Topic;
  readonly eventsKey: Key;
  readonly inboundBucket: s3.Bucket;
  readonly inboundLogBucket: s3.Bucket;
  readonly receiptRuleSet: ses.CfnReceiptRuleSet;
  readonly receiptRule: ses.CfnReceiptRule;
  readonly eventsFunction: ParleyFunction;
  readonly inboundFunction: ParleyFunction;
  /** Where the events and inbound functions log. */
  readonly functionLogGroup: LogGroup;
  /** The command that activates the receipt rule set (a deliberate, one-time manual step). */
  readonly activateRuleSetCommand: string;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = props.resources.mail;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: names.configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      // SES's own account-level suppression too, so a suppressed address is refused by SES as well.
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    // SES publishes to an encrypted topic only with a customer-managed key it may use.
    this.eventsKey = new Key(this, 'EventsKey', {
      description: 'Parley mail events topic (SES bounces and complaints)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.eventsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.eventsTopic = new Topic(this, 'EventsTopic', {
      displayName: 'Parley mail events',
      masterKey: this.eventsKey,
      enforceSSL: true,
    });
    new ses.ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: this.configurationSet,
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    if (props.mail.createIdentity) {
      this.identity = new ses.EmailIdentity(this, 'Identity', {
        identity: ses.Identity.domain(props.mail.domain),
        configurationSet: this.configurationSet,
        dkimSigning: true,
      });
    }

    this.inboundLogBucket = accessLogBucket(this, 'InboundLogBucket');
    this.inboundBucket = new s3.Bucket(this, 'InboundBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.mail.inboundRetentionDays) }],
      serverAccessLogsBucket: this.inboundLogBucket,
      serverAccessLogsPrefix: 'inbound-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const ruleSetName = `${stack.stackName}-inbound`;
    const ruleName = 'ticket-replies';
    const ruleArn = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${ruleSetName}:receipt-rule/${ruleName}`,
    });
    const sesWrites = this.inboundBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesReceiptRuleWrites',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.inboundBucket.arnForObjects(`${INBOUND_PREFIX}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': ruleArn } },
      }),
    );

    this.receiptRuleSet = new ses.CfnReceiptRuleSet(this, 'ReceiptRuleSet', { ruleSetName });
    this.receiptRule = new ses.CfnReceiptRule(this, 'ReplyRule', {
      ruleSetName,
      rule: {
        name: ruleName,
        enabled: true,
        // The whole reply domain: every reply+<token>@ address lands here.
        recipients: [props.mail.replyDomain],
        scanEnabled: true,
        tlsPolicy: 'Require',
        actions: [{ s3Action: { bucketName: this.inboundBucket.bucketName, objectKeyPrefix: INBOUND_PREFIX } }],
      },
    });
    this.receiptRule.addResourceDependency(this.receiptRuleSet);
    // SES checks it may write to the bucket when the rule is created.
    if (sesWrites.policyDependable) this.receiptRule.node.addDependency(sesWrites.policyDependable);

    const withBucket: ParleyResources = { ...props.resources, mail: { ...names, inboundBucket: this.inboundBucket } };
    this.functionLogGroup = functionLogGroup(this);
    this.eventsFunction = new ParleyFunction(this, 'EventsFunction', {
      name: MAIL_FUNCTIONS.events.name,
      entry: MAIL_FUNCTIONS.events.entry,
      needs: MAIL_FUNCTIONS.events.needs,
      resources: withBucket,
      logGroup: this.functionLogGroup,
      description: 'Parley mail events: marks addresses SES reports bounced or complained',
    });
    this.eventsTopic.addSubscription(new LambdaSubscription(this.eventsFunction.lambda));

    this.inboundFunction = new ParleyFunction(this, 'InboundFunction', {
      name: MAIL_FUNCTIONS.inbound.name,
      entry: MAIL_FUNCTIONS.inbound.entry,
      needs: MAIL_FUNCTIONS.inbound.needs,
      resources: withBucket,
      logGroup: this.functionLogGroup,
      timeout: Duration.seconds(30),
      description: 'Parley inbound mail: threads an emailed reply into its ticket',
    });
    this.inboundBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new LambdaDestination(this.inboundFunction.lambda), {
      prefix: INBOUND_PREFIX,
    });

    this.activateRuleSetCommand = `aws ses set-active-receipt-rule-set --rule-set-name ${ruleSetName} --region ${stack.region}`;
  }

  get functions(): readonly ParleyFunction[] {
    return [this.eventsFunction, this.inboundFunction];
  }
}
