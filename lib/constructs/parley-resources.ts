import type { WebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Config, MAIL_SETTINGS, NOT_DEPLOYED } from '../../functions/config';
import type { Needs } from '../../functions/routes';
import type { RuntimeSettings } from '../parley-context';

/** Where Lambdas reach connected clients: the WebSocket API and its management endpoint. */
export interface RealtimeEndpoint {
  readonly webSocketApi: WebSocketApi;
  /** https://{apiId}.execute-api.{region}.{urlSuffix}/{stage} */
  readonly callbackUrl: string;
}

/** Everything a Parley Lambda may touch; `Needs` selects which parts it is granted. */
export interface ParleyResources {
  readonly table: ITable;
  readonly routingQueue: IQueue;
  /** Private signing keys: minting functions only. */
  readonly signingKeysSecret: ISecret;
  /** Public verification keys: every verifier reads them, the rotation function writes them. */
  readonly verificationKeysSecret: ISecret;
  /** Verifies identified-customer tokens; read wherever tokens are verified. */
  readonly identifiedCustomerSecret: ISecret;
  readonly upstashSecret: ISecret;
  readonly settings: RuntimeSettings;
  readonly realtime: RealtimeEndpoint;
}

/** Variables every function gets besides the handler configuration (functions/config.ts). */
const OPERATIONAL_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'parley',
  POWERTOOLS_METRICS_NAMESPACE: 'Parley',
  LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
} as const;

type MailSetting = (typeof MAIL_SETTINGS)[number];
type DeployedConfig = Record<Exclude<keyof Config, (typeof NOT_DEPLOYED)[number] | MailSetting>, string> &
  Partial<Record<MailSetting, string>>;

/**
 * The same environment for every function, so any handler can load its config. Secrets are
 * referenced by ARN or name only; handlers fetch the values at runtime.
 */
export function functionEnvironment(resources: ParleyResources): Record<string, string> {
  const config = {
    TABLE_NAME: resources.table.tableName,
    ROUTING_QUEUE_URL: resources.routingQueue.queueUrl,
    WS_CALLBACK_URL: resources.realtime.callbackUrl,
    SIGNING_KEYS_SECRET_ID: resources.signingKeysSecret.secretArn,
    VERIFICATION_KEYS_SECRET_ID: resources.verificationKeysSecret.secretArn,
    IDENTIFIED_CUSTOMER_SECRET_ID: resources.identifiedCustomerSecret.secretArn,
    // The imported secret's ARN lacks the random suffix; its name is the reliable id.
    UPSTASH_SECRET_ID: resources.upstashSecret.secretName,
    ...resources.settings,
  } satisfies DeployedConfig;
  return { ...config, ...OPERATIONAL_ENVIRONMENT };
}

/**
 * Grants exactly what `needs` lists, nothing else. Table access is not granted here but
 * from the entry point's declared TABLE_ACCESS (table-grants.ts), item by item.
 */
export function grantNeeds(grantee: IGrantable, needs: Needs, resources: ParleyResources): void {
  if (needs.routingQueue === true) resources.routingQueue.grantSendMessages(grantee);
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
}
