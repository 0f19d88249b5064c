import { CfnElement, Stack, Token } from 'aws-cdk-lib';
import { NagSuppressions, type NagPackSuppression } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { AttachmentsConstruct } from './constructs/attachments';
import type { ApiGatewayAccountConstruct } from './constructs/api-gateway-account';
import type { CanaryConstruct } from './constructs/canary';
import type { EdgeProtectionConstruct } from './constructs/edge-protection';
import type { HttpApiConstruct } from './constructs/http-api';
import type { MailConstruct } from './constructs/mail';
import type { ParleyFunction } from './constructs/parley-function';
import type { RealtimeApiConstruct } from './constructs/realtime-api';
import type { StorageConstruct } from './constructs/storage';
import type { WebHostingConstruct } from './constructs/web-hosting';

/** The parts of the Parley stack that carry accepted findings (ParleyStack has them all). */
export interface NaggedStack extends IConstruct {
  readonly storage: StorageConstruct;
  readonly attachments: AttachmentsConstruct;
  readonly realtime: RealtimeApiConstruct;
  readonly http: HttpApiConstruct;
  readonly web: WebHostingConstruct;
  readonly apiGatewayAccount?: ApiGatewayAccountConstruct;
  readonly edge?: EdgeProtectionConstruct;
  readonly mail?: MailConstruct;
  readonly canary?: CanaryConstruct;
  readonly functions: readonly ParleyFunction[];
}

/**
 * Every cdk-nag (AwsSolutions) finding Parley accepts, each scoped to the resources and
 * the exact permission it concerns, with the reason it is accepted. Anything new that
 * cdk-nag reports stays an error until it is fixed or argued for here.
 */
export function applyNagSuppressions(stack: NaggedStack): void {
  const apiId = `<${logicalIdOf(stack.realtime.webSocketApi)}>`;
  const connectionsResource = `Resource::arn:<AWS::Partition>:execute-api:${regionIn(stack)}:<AWS::AccountId>:${apiId}/*/*/@connections/*`;

  for (const fn of stack.functions) {
    NagSuppressions.addResourceSuppressions(fn.lambda, [RUNTIME_PINNED]);
    NagSuppressions.addResourceSuppressions(
      fn.role,
      roleSuppressions(fn, connectionsResource, logicalIdOf(stack.attachments.bucket)),
      true,
    );
  }

  for (const { definition, route } of stack.realtime.routes) {
    if (definition.routeKey === '$connect') continue; // authorized: no suppression
    NagSuppressions.addResourceSuppressions(route, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'API Gateway runs WebSocket authorizers on $connect only. This route receives frames on a connection ' +
          'the JWT authorizer already admitted, and handlers act as the identity stored for that connection.',
      },
    ]);
  }

  for (const { definition, route } of stack.http.routes) {
    const issuesTokens = definition.path.startsWith('/v1/auth/');
    NagSuppressions.addResourceSuppressions(route, [
      {
        id: 'AwsSolutions-APIG4',
        reason: issuesTokens
          ? 'Token-issuing endpoint: callers have no token yet, so it is public by design; it is rate-limited per client IP in the handler.'
          : 'The handler verifies the bearer JWT itself (pinned issuer, audience and algorithm), the same verification the WebSocket authorizer uses.',
      },
    ]);
  }

  NagSuppressions.addResourceSuppressions(stack.storage.verificationKeysSecret, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds only public keys. It is rewritten by every rotation of the signing-key secret (which has its own ' +
        '30-day rotation schedule), so it changes exactly when the keys it publishes do.',
    },
  ]);

  NagSuppressions.addResourceSuppressions(stack.storage.identifiedCustomerSecret, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'The embedding site holds a copy of this key to sign customer tokens; rotating it must be coordinated ' +
        'with the site (docs/security.md), so it is rotated deliberately, not on a schedule.',
    },
  ]);

  applyWebHostingSuppressions(stack);
  if (stack.mail !== undefined) applyMailSuppressions(stack, stack.mail);
  if (stack.canary !== undefined) applyCanarySuppressions(stack.canary);

  if (stack.apiGatewayAccount !== undefined) {
    NagSuppressions.addResourceSuppressions(stack.apiGatewayAccount.role, [
      {
        id: 'AwsSolutions-IAM4',
        reason:
          'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy made for the account-level API Gateway ' +
          'logging role; API Gateway names its log groups itself, so the policy cannot be narrowed.',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
      },
    ]);
  }
}

/** The web pages' CloudFront distribution and the BucketDeployment that uploads them. */
function applyWebHostingSuppressions(stack: NaggedStack): void {
  NagSuppressions.addResourceSuppressions(stack.web.distribution, [
    {
      id: 'AwsSolutions-CFR1',
      reason: 'The widget serves customers of the embedding sites wherever they are; there is no region to exclude.',
    },
    ...(stack.web.webAclArn === undefined
      ? [
          {
            id: 'AwsSolutions-CFR2',
            reason:
              'The distribution serves static, public files only (GET/HEAD, no origin logic); the APIs they call are throttled ' +
              'per route at API Gateway and rate-limited per caller in the handlers. The webAcl context value attaches a web ACL.',
          },
        ]
      : []),
    ...(stack.web.domain === undefined ? [DEFAULT_CERTIFICATE] : []),
  ]);
  if (stack.edge !== undefined) {
    NagSuppressions.addResourceSuppressions(stack.edge.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The APIs serve customers of the embedding sites wherever they are; there is no region to exclude.',
      },
      ...(stack.edge.hasCustomDomain ? [] : [DEFAULT_CERTIFICATE]),
    ]);
    NagSuppressions.addResourceSuppressions(stack.edge.logBucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          "This bucket holds the edge distribution's CloudFront access logs; logging access to the log bucket itself " +
          'would need yet another bucket. It is private, encrypted, TLS-only and expires objects after 90 days.',
      },
    ]);
  }
  // CDK's BucketDeployment: one singleton Lambda per stack (and memory size) that copies the
  // built pages from the CDK assets bucket to the site bucket and invalidates CloudFront.
  const deploymentHandlers = stack.node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  for (const handler of deploymentHandlers) {
    NagSuppressions.addResourceSuppressions(
      handler,
      [
        {
          id: 'AwsSolutions-L1',
          reason: "CDK's BucketDeployment pins its own Python runtime for its bundled handler; it runs only during deployments.",
        },
        {
          id: 'AwsSolutions-IAM4',
          reason: 'AWSLambdaBasicExecutionRole, which CDK attaches to its BucketDeployment handler, only lets it write its own logs.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "CDK's grants for BucketDeployment: read the staged asset objects (the CDK assets bucket) and replace every object " +
            'in the site bucket (prune), so object-level wildcards on those two buckets; CloudFront invalidations have no ' +
            'resource-level permissions (Resource::*).',
          appliesTo: [
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${regionIn(stack)}/*`,
            `Resource::<${logicalIdOf(stack.web.bucket)}.Arn>/*`,
            'Resource::*',
          ],
        },
      ],
      true,
    );
  }
}

/** The Synthetics canary's secret, artifacts bucket and role (lib/constructs/canary.ts). */
function applyCanarySuppressions(canary: CanaryConstruct): void {
  NagSuppressions.addResourceSuppressions(canary.agentSecret, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        "The canary agent's password is also set on the agent in Parley (docs/operations.md); a scheduled rotation " +
        'would change one without the other and fail the canary, so it is rotated deliberately, both together.',
    },
  ]);
  NagSuppressions.addResourceSuppressions(canary.artifactsBucket, [
    {
      id: 'AwsSolutions-S1',
      reason:
        "Holds only the canary's own run logs and reports, written by its role; private, encrypted, TLS-only, and " +
        'expired after 30 days. Access logs of it would need another bucket for no data worth auditing.',
    },
  ]);
  NagSuppressions.addResourceSuppressions(canary.role, [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'What the Synthetics runtime needs: s3:ListAllMyBuckets (no resource-level permissions) and ' +
        'cloudwatch:PutMetricData (none either; limited by condition to the CloudWatchSynthetics namespace) on *; ' +
        "objects in the canary's own artifacts bucket, named per run; the log streams of this canary's own Lambda " +
        'function, which Synthetics names cwsyn-<canary>-<id> at creation.',
      appliesTo: [
        'Resource::*',
        `Resource::<${logicalIdOf(canary.artifactsBucket)}.Arn>/*`,
        `Resource::arn:<AWS::Partition>:logs:${regionIn(canary)}:<AWS::AccountId>:log-group:/aws/lambda/cwsyn-${canary.canaryName}-*`,
      ],
    },
  ]);
}

/** The inbound function's object-level read, and CDK's bucket-notification helper. */
function applyMailSuppressions(stack: NaggedStack, mail: MailConstruct): void {
  NagSuppressions.addResourceSuppressions(
    mail.inboundFunction.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'SES receiving names each object after the message it stores, so the inbound function reads objects under the ' +
          'inbound/ prefix of the receiving bucket (s3:GetObject only); nothing else in any bucket.',
        appliesTo: [`Resource::<${logicalIdOf(mail.inboundBucket)}.Arn>/inbound/*`],
      },
    ],
    true,
  );
  // CDK's singleton that writes the bucket's notification configuration at deploy time.
  const notificationHandlers = stack.node.children.filter((child) => child.node.id.startsWith('BucketNotificationsHandler'));
  for (const handler of notificationHandlers) {
    NagSuppressions.addResourceSuppressions(
      handler,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'AWSLambdaBasicExecutionRole, which CDK attaches to its bucket-notification handler (it runs only during deployments), only lets it write its own logs.',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
      ],
      true,
    );
  }
}

const DEFAULT_CERTIFICATE: NagPackSuppression = {
  id: 'AwsSolutions-CFR4',
  reason:
    'Served on the default *.cloudfront.net certificate, for which CloudFront cannot raise the minimum protocol; ' +
    'browsers negotiate TLS 1.2/1.3. A custom domain (webDomainName/apiDomainName context) sets TLSv1.2_2021.',
};

const RUNTIME_PINNED: NagPackSuppression = {
  id: 'AwsSolutions-L1',
  reason:
    'Pinned to nodejs22.x, the runtime the bundles target (esbuild target node22) and the project tests against; ' +
    'runtime upgrades are deliberate changes, not automatic.',
};

/** The role's inline policy; each wildcard accepted only where the function's needs imply it. */
function roleSuppressions(fn: ParleyFunction, connectionsResource: string, attachmentsBucket: string): NagPackSuppression[] {
  const suppressions: NagPackSuppression[] = [
    // Granted only to traced functions (the `tracing` context value).
    ...(fn.tracing
      ? [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'X-Ray tracing (PutTraceSegments, PutTelemetryRecords) does not support resource-level permissions.',
            appliesTo: ['Resource::*'],
          },
        ]
      : []),
    {
      id: 'AwsSolutions-IAM5',
      // Short: it is repeated on every function's role and policy, and templates are capped at 1 MB.
      reason: "Lambda names log streams at runtime; this allows only this function's own (lib/constructs/function-log-group.ts).",
      appliesTo: [
        `Resource::arn:<AWS::Partition>:logs:${regionIn(fn)}:<AWS::AccountId>:log-group:<${logicalIdOf(fn.logGroup)}>:log-stream:*/${fn.functionName}[*`,
      ],
    },
  ];
  if (fn.needs.rotatesSigningKeys === true) {
    suppressions.push({
      id: 'AwsSolutions-IAM5',
      reason:
        "secretsmanager:GetRandomPassword, which CDK's rotation schedule grants every rotation function, is not " +
        'tied to any secret and has no resource-level permissions (this function generates its keys with WebCrypto).',
      appliesTo: ['Resource::*'],
    });
  }
  if (fn.needs.connections === true) {
    suppressions.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'execute-api:ManageConnections targets connection ids that exist only at runtime; the wildcard is limited to ' +
        "this WebSocket API's @connections resources.",
      appliesTo: [connectionsResource],
    });
  }
  if (fn.needs.attachments !== undefined) {
    suppressions.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'Attachment keys (<prefix>/<conversationId>/<attachmentId>) exist only at runtime; each grant is limited to one ' +
        "key prefix of the attachments bucket and the actions the function's role needs (functions/routes.ts Needs.attachments).",
      appliesTo: [`Resource::<${attachmentsBucket}.Arn>/uploads/*`, `Resource::<${attachmentsBucket}.Arn>/conversations/*`],
    });
  }
  if (fn.needs.customerData === true) {
    suppressions.push({
      id: 'AwsSolutions-IAM5',
      reason:
        "A customer's attachment keys (conversations/<conversationId>/<attachmentId>) and each export's key (exports/<id>.zip) " +
        'exist only at runtime; each grant is limited to one key prefix of the attachments bucket and the actions exporting ' +
        'and erasing need (functions/routes.ts Needs.customerData, docs/data-rights.md).',
      appliesTo: [`Resource::<${attachmentsBucket}.Arn>/conversations/*`, `Resource::<${attachmentsBucket}.Arn>/exports/*`],
    });
  }
  return suppressions;
}

/** How cdk-nag writes the region in an ARN: the pseudo parameter, or the region a pinned stack names. */
function regionIn(scope: IConstruct): string {
  const { region } = Stack.of(scope);
  return Token.isUnresolved(region) ? '<AWS::Region>' : region;
}

/** How cdk-nag names a resource's attributes in `appliesTo`, e.g. `<StorageTableB43FDCE7.Arn>`. */
function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource);
}
