import type { WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Config, MAIL_SETTINGS, NOT_DEPLOYED, RETENTION_SETTINGS } from '../../functions/config';
import { STORED_PREFIX, UPLOAD_PREFIX } from '../../functions/domain/attachment';
import { EXPORT_PREFIX } from '../../functions/domain/customer-data';
import type { Needs } from '../../functions/routes';
import type { RuntimeSettings } from '../parley-context';

/** Where Lambdas reach connected clients: the WebSocket API and its management endpoint. */
export interface RealtimeEndpoint {
  readonly webSocketApi: WebSocketApi;
  /** https://{apiId}.execute-api.{region}.{urlSuffix}/{stage} */
  readonly callbackUrl: string;
}

/** Sending and receiving mail (lib/constructs/mail.ts); absent when no mail identity is configured. */
export interface MailResources {
  readonly from: string;
  readonly replyDomain: string;
  readonly configurationSetName: string;
  /** The SES identity and configuration set ARNs ses:SendEmail is granted on. */
  readonly identityArn: string;
  readonly configurationSetArn: string;
  /** The bucket SES receiving writes to (set for the inbound function only). */
  readonly inboundBucket?: IBucket;
  /** The key prefix inbound mail is written under. */
  readonly inboundPrefix: string;
}

/** Everything a Parley Lambda may touch; `Needs` selects which parts it is granted. */
export interface ParleyResources {
  readonly table: ITable;
  readonly routingQueue: IQueue;
  /** The routing queue's DLQ: the router parks triggers that can never succeed there. */
  readonly routingDeadLetterQueue: IQueue;
  /** The `webhook-deliveries` queue (docs/webhooks.md). */
  readonly webhookDeliveryQueue: IQueue;
  /** The events queue (docs/events.md): publishers get sqs:SendMessage on it (`Needs.events`). */
  readonly eventsQueue: IQueue;
  /** Private signing keys: minting functions only. */
  readonly signingKeysSecret: ISecret;
  /** Public verification keys: every verifier reads them, the rotation function writes them. */
  readonly verificationKeysSecret: ISecret;
  /** Verifies identified-customer tokens; read wherever tokens are verified. */
  readonly identifiedCustomerSecret: ISecret;
  readonly upstashSecret: ISecret;
  readonly settings: RuntimeSettings;
  readonly realtime: RealtimeEndpoint;
  readonly mail?: MailResources;
  /** The private attachments bucket (lib/constructs/attachments.ts). */
  readonly attachmentsBucket: IBucket;
  /** Days closed conversations are kept (`retentionDays` context, docs/data-rights.md); absent: until erased. */
  readonly retentionDays?: number;
  /** Active X-Ray tracing and the Tracer in the bundles (`tracing` context value); absent: on. */
  readonly tracing?: boolean;
}

/** Variables every function gets besides the handler configuration (functions/config.ts). */
const OPERATIONAL_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'parley',
  POWERTOOLS_METRICS_NAMESPACE: 'Parley',
  LOG_LEVEL: 'INFO',
  // No NODE_OPTIONS=--enable-source-maps: it parses each bundle's map at load and maps every
  // stack trace built (~22% CPU). The .map ships with the bundle; a logged stack is mapped
  // offline (docs/operations.md, "Source maps").
} as const;

type MailSetting = (typeof MAIL_SETTINGS)[number];
type RetentionSetting = (typeof RETENTION_SETTINGS)[number];
type DeployedConfig = Record<Exclude<keyof Config, (typeof NOT_DEPLOYED)[number] | MailSetting | RetentionSetting>, string> &
  Partial<Record<MailSetting | RetentionSetting, string>>;

/**
 * The same environment for every function, so any handler can load its config. Secrets are
 * referenced by ARN or name only; handlers fetch the values at runtime.
 */
export function functionEnvironment(resources: ParleyResources): Record<string, string> {
  const config = {
    TABLE_NAME: resources.table.tableName,
    ROUTING_QUEUE_URL: resources.routingQueue.queueUrl,
    ROUTING_DEAD_LETTER_QUEUE_URL: resources.routingDeadLetterQueue.queueUrl,
    WEBHOOK_DELIVERY_QUEUE_URL: resources.webhookDeliveryQueue.queueUrl,
    EVENTS_QUEUE_URL: resources.eventsQueue.queueUrl,
    WS_CALLBACK_URL: resources.realtime.callbackUrl,
    SIGNING_KEYS_SECRET_ID: resources.signingKeysSecret.secretArn,
    VERIFICATION_KEYS_SECRET_ID: resources.verificationKeysSecret.secretArn,
    IDENTIFIED_CUSTOMER_SECRET_ID: resources.identifiedCustomerSecret.secretArn,
    // The imported secret's ARN lacks the random suffix; its name is the reliable id.
    UPSTASH_SECRET_ID: resources.upstashSecret.secretName,
    ATTACHMENTS_BUCKET: resources.attachmentsBucket.bucketName,
    ...(resources.retentionDays === undefined ? {} : { RETENTION_DAYS: String(resources.retentionDays) }),
    ...resources.settings,
    ...(resources.mail === undefined
      ? {}
      : {
          MAIL_FROM: resources.mail.from,
          MAIL_REPLY_DOMAIN: resources.mail.replyDomain,
          MAIL_CONFIGURATION_SET: resources.mail.configurationSetName,
        }),
  } satisfies DeployedConfig;
  return { ...config, ...OPERATIONAL_ENVIRONMENT };
}

/**
 * Grants exactly what `needs` lists, nothing else. Table access is not granted here but
 * from the entry point's declared TABLE_ACCESS (table-grants.ts), item by item.
 */
export function grantNeeds(grantee: IGrantable, needs: Needs, resources: ParleyResources): void {
  if (needs.routingQueue === true) resources.routingQueue.grantSendMessages(grantee);
  // SendMessage only: parking a trigger needs nothing else on the DLQ (no receive, no delete).
  if (needs.parksUnroutable === true) {
    Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [resources.routingDeadLetterQueue.queueArn] });
  }
  // SendMessage only (no receive, no delete): the worker's event source mapping gets those itself.
  if (needs.webhookDeliveries === true) {
    Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [resources.webhookDeliveryQueue.queueArn] });
  }
  if (needs.events === true) resources.eventsQueue.grantSendMessages(grantee);
  if (needs.connections === true) resources.realtime.webSocketApi.grantManageConnections(grantee);
  if (needs.signingKeys === true) resources.signingKeysSecret.grantRead(grantee);
  if (needs.verificationKeys === true) {
    resources.verificationKeysSecret.grantRead(grantee);
    // A function that verifies tokens may be shown an identified customer's token.
    resources.identifiedCustomerSecret.grantRead(grantee);
  }
  if (needs.rotatesSigningKeys === true) {
    resources.verificationKeysSecret.grantRead(grantee);
    // A new version only: grantWrite would add UpdateSecret and UpdateSecretVersionStage too.
    Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:PutSecretValue'],
      resourceArns: [resources.verificationKeysSecret.secretArn],
    });
  }
  if (needs.upstash === true) resources.upstashSecret.grantRead(grantee);
  // Without mail configured a function that emails gets nothing: its mailer answers `unavailable`.
  if (needs.mail === true && resources.mail !== undefined) {
    Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail'],
      resourceArns: [resources.mail.identityArn, resources.mail.configurationSetArn],
    });
  }
  if (needs.inboundMail === true) {
    const bucket = resources.mail?.inboundBucket;
    if (bucket === undefined) throw new Error('A function that reads inbound mail needs the receiving bucket (lib/constructs/mail.ts)');
    Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [bucket.arnForObjects(`${resources.mail!.inboundPrefix}*`)] });
  }
  if (needs.attachments !== undefined) grantAttachments(grantee, needs.attachments, resources.attachmentsBucket);
  if (needs.customerData === true) grantCustomerData(grantee, resources.attachmentsBucket);
}

/**
 * Customers' data rights (docs/data-rights.md): list, read and delete a conversation's files;
 * write the export archive and read it (its presigned GET).
 */
function grantCustomerData(grantee: IGrantable, bucket: IBucket): void {
  // Listing a conversation's prefix; unconditioned (no s3:prefix condition) because a GetObject of a
  // missing key (an attachment the lifecycle rule expired) must answer 404, which S3 decides by ListBucket.
  Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [bucket.bucketArn] });
  Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject', 's3:DeleteObject'],
    resourceArns: [bucket.arnForObjects(`${STORED_PREFIX}*`)],
  });
  Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:PutObject'], resourceArns: [bucket.arnForObjects(`${EXPORT_PREFIX}*`)] });
}

/** Per key prefix (domain/attachment.ts): `issue` signs, `accept` checks and moves (functions/routes.ts Needs). */
function grantAttachments(grantee: IGrantable, role: 'issue' | 'accept', bucket: IBucket): void {
  const uploads = bucket.arnForObjects(`${UPLOAD_PREFIX}*`);
  const stored = bucket.arnForObjects(`${STORED_PREFIX}*`);
  // Without ListBucket a missing key answers 403, indistinguishable from a denied one.
  Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [bucket.bucketArn] });
  if (role === 'issue') {
    Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [uploads] });
    Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [stored] });
    return;
  }
  Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:DeleteObject'], resourceArns: [uploads] });
  Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:PutObject'], resourceArns: [stored] });
}
