import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';

const CANARY_ENTRY = fileURLToPath(new URL('../../scripts/canary/handler.ts', import.meta.url));

/** The skill only the canary agent serves, so the canary's conversations never reach a person. */
export const CANARY_SKILL = 'canary';
/** The canary agent's email, as the generated secret first holds it (an operator may change both). */
export const CANARY_AGENT_EMAIL = 'canary@example.com';
/** How often the canary runs; each run is one conversation. */
export const CANARY_SCHEDULE = Duration.minutes(5);
/** Failed runs in a row that page someone: one failure may be a blip, two are not. */
export const CANARY_FAILED_RUNS_TO_ALARM = 2;
/** Canary screenshots, logs and HAR files are kept this long. */
export const CANARY_ARTIFACT_DAYS = 30;

export interface CanaryProps {
  /** The HTTP API and WebSocket URLs clients use (through the edge when it is on). */
  readonly httpUrl: string;
  readonly webSocketUrl: string;
}

/**
 * A CloudWatch Synthetics canary (context `canary: true`) that chats over wss every five
 * minutes: scripts/canary/round-trip.ts, with the canary agent's credentials from a secret
 * this construct creates (docs/operations.md: create the agent with them once), and an alarm
 * when runs fail.
 */
export class CanaryConstruct extends Construct {
  readonly canary: synthetics.Canary;
  /** The canary's name, which its Lambda function's log group carries (cwsyn-<name>-<id>). */
  readonly canaryName: string;
  /** {"email", "password"} of the canary agent: generated here, read by the canary only. */
  readonly agentSecret: Secret;
  readonly artifactsBucket: Bucket;
  readonly role: Role;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const canaryName = `${stack.stackName.toLowerCase()}-chat-canary`;
    this.canaryName = canaryName;

    this.agentSecret = new Secret(this, 'AgentCredentials', {
      description: `Parley canary agent sign-in (serves only the "${CANARY_SKILL}" skill; docs/operations.md)`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ email: CANARY_AGENT_EMAIL }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludePunctuation: true,
      },
    });

    this.artifactsBucket = new Bucket(this, 'Artifacts', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(CANARY_ARTIFACT_DAYS), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    // What the Synthetics runtime needs and nothing more (CDK's default role reads every bucket's
    // name the same way, but grants logs on every canary's group).
    const canaryLogGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/cwsyn-${canaryName}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Parley chat canary: writes its artifacts, logs and metrics, reads the canary agent secret',
      inlinePolicies: {
        canary: new PolicyDocument({
          statements: [
            new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.artifactsBucket.arnForObjects('*')] }),
            new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.artifactsBucket.bucketArn] }),
            new PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
            new PolicyStatement({
              actions: ['cloudwatch:PutMetricData'],
              resources: ['*'],
              conditions: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
            }),
            new PolicyStatement({
              actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [canaryLogGroups],
            }),
            new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.agentSecret.secretArn] }),
          ],
        }),
      },
    });

    this.canary = new synthetics.Canary(this, 'Canary', {
      canaryName,
      runtime: synthetics.Runtime.SYNTHETICS_NODEJS_3_1,
      test: synthetics.Test.custom({ code: synthetics.Code.fromAsset(CanaryConstruct.bundle()), handler: 'index.handler' }),
      schedule: synthetics.Schedule.rate(CANARY_SCHEDULE),
      timeout: Duration.minutes(2),
      role: this.role,
      artifactsBucketLocation: { bucket: this.artifactsBucket },
      environmentVariables: {
        PARLEY_HTTP_URL: props.httpUrl,
        PARLEY_WS_URL: props.webSocketUrl,
        PARLEY_CANARY_SKILL: CANARY_SKILL,
        PARLEY_CANARY_SECRET_ARN: this.agentSecret.secretArn,
      },
      successRetentionPeriod: Duration.days(CANARY_ARTIFACT_DAYS),
      failureRetentionPeriod: Duration.days(CANARY_ARTIFACT_DAYS),
      // Deleting the canary deletes the Lambda function Synthetics made for it.
      provisionedResourceCleanup: true,
    });

    // No data means no run: a canary that stopped is as bad as one that fails.
    this.alarm = new Alarm(this, 'Failing', {
      alarmName: `${stack.stackName}-canary-failing`,
      alarmDescription:
        `The chat canary failed ${CANARY_FAILED_RUNS_TO_ALARM} runs in a row (or stopped running): a customer could not ` +
        'reach an agent and back over wss. Its log names the failed step. Runbook: docs/operations.md.',
      metric: this.canary.metricSuccessPercent({ period: CANARY_SCHEDULE, statistic: 'Average' }),
      threshold: 100,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: CANARY_FAILED_RUNS_TO_ALARM,
      treatMissingData: TreatMissingData.BREACHING,
    });
  }

  /**
   * Bundles the canary script with esbuild (synchronously: constructs cannot await) for the
   * syn-nodejs runtime (Node.js 20, CommonJS), the SDK and `ws` included as the functions' are.
   * Written at the root and at nodejs/node_modules/, the two places Synthetics looks.
   */
  static bundle(): string {
    const dir = mkdtempSync(join(tmpdir(), 'parley-canary-'));
    const outfile = join(dir, 'index.js');
    buildSync({
      entryPoints: [CANARY_ENTRY],
      outfile,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // Optional native speed-ups `ws` loads when present.
      external: ['bufferutil', 'utf-8-validate'],
      legalComments: 'none',
      logLevel: 'silent',
    });
    mkdirSync(join(dir, 'nodejs', 'node_modules'), { recursive: true });
    copyFileSync(outfile, join(dir, 'nodejs', 'node_modules', 'index.js'));
    return dir;
  }
}
