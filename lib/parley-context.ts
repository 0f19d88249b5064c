import type { Node } from 'constructs';
import { z } from 'zod';
import { configSchema, type Config } from '../functions/config';
import { TABLE_ACCESS } from '../functions/routes';
import { DEFAULT_ACCOUNT_CONCURRENCY_LIMIT } from './constructs/monitoring-alarms';
import {
  LONGEST_REGION_NAME,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_ORIGIN_ACCESS_CONTROL_NAME_LENGTH,
  WEB_SITE_ACCESS_CONTROL_SUFFIX,
} from './constructs/naming';

/**
 * Deployment settings read from CDK context (cdk.json or `cdk synth -c key=value`).
 * Values given on the command line arrive as strings, so numbers, booleans and lists are
 * coerced here, once, with a clear error instead of a broken template.
 */

/** Lambda environment variables a deployer may tune, and the context key for each. */
const TUNABLE_CONTEXT_KEYS = {
  JWT_ISSUER: 'jwtIssuer',
  JWT_AUDIENCE: 'jwtAudience',
  HEARTBEAT_SECONDS: 'heartbeatSeconds',
  DEFAULT_SKILL: 'defaultSkill',
  GUEST_TOKEN_SECONDS: 'guestTokenSeconds',
  AGENT_TOKEN_SECONDS: 'agentTokenSeconds',
  STAFF_ACCESS_TOKEN_SECONDS: 'staffAccessTokenSeconds',
  CONNECTION_TTL_SECONDS: 'connectionTtlSeconds',
  SECRETS_CACHE_SECONDS: 'secretsCacheSeconds',
  PRESENCE_GRACE_SECONDS: 'presenceGraceSeconds',
  CLAIM_MIN_AGE_SECONDS: 'claimMinAgeSeconds',
  ABANDON_AFTER_SECONDS: 'abandonAfterSeconds',
  ABANDON_CLOSE_AFTER_SECONDS: 'abandonCloseAfterSeconds',
  AGENT_LEAVE_GRACE_SECONDS: 'agentLeaveGraceSeconds',
  QUEUE_TICKET_OFFER_SECONDS: 'queueTicketOfferSeconds',
  HOURS_CACHE_SECONDS: 'hoursCacheSeconds',
  SKILLS_CACHE_SECONDS: 'skillsCacheSeconds',
  IDENTIFIED_CUSTOMER_ISSUER: 'identifiedCustomerIssuer',
  OIDC_ISSUERS: 'oidcIssuers',
  MAX_TOKEN_SECONDS_CUSTOMER: 'maxTokenSecondsCustomer',
  MAX_TOKEN_SECONDS_AGENT: 'maxTokenSecondsAgent',
  MAX_TOKEN_SECONDS_SUPERVISOR: 'maxTokenSecondsSupervisor',
  MAX_TOKEN_SECONDS_ADMIN: 'maxTokenSecondsAdmin',
  RATE_LIMIT_CONNECTS_PER_IP: 'rateLimitConnectsPerIp',
  RATE_LIMIT_CONNECTS_PER_USER: 'rateLimitConnectsPerUser',
  RATE_LIMIT_MESSAGES: 'rateLimitMessages',
  RATE_LIMIT_MESSAGES_PER_USER: 'rateLimitMessagesPerUser',
  RATE_LIMIT_STARTS: 'rateLimitStarts',
  RATE_LIMIT_TYPING: 'rateLimitTyping',
  RATE_LIMIT_READS: 'rateLimitReads',
  RATE_LIMIT_SYNCS: 'rateLimitSyncs',
  RATE_LIMIT_HEARTBEATS: 'rateLimitHeartbeats',
  RATE_LIMIT_CONVERSATION_CHANGES: 'rateLimitConversationChanges',
  RATE_LIMIT_GUEST_TOKENS: 'rateLimitGuestTokens',
  RATE_LIMIT_LOGINS: 'rateLimitLogins',
  RATE_LIMIT_SESSION_CALLS: 'rateLimitSessionCalls',
  RATE_LIMIT_API_READS: 'rateLimitApiReads',
  RATE_LIMIT_AGENT_CHANGES: 'rateLimitAgentChanges',
  RATE_LIMIT_TRANSCRIPTS: 'rateLimitTranscripts',
  RATE_LIMIT_AVAILABILITY: 'rateLimitAvailability',
  RATE_LIMIT_SETTINGS_CHANGES: 'rateLimitSettingsChanges',
  MAX_CONNECTIONS_PER_CUSTOMER: 'maxConnectionsPerCustomer',
  MAX_CONNECTIONS_PER_STAFF: 'maxConnectionsPerStaff',
  LOGIN_FREE_ATTEMPTS: 'loginFreeAttempts',
  LOGIN_LOCK_BASE_MS: 'loginLockBaseMs',
  LOGIN_LOCK_MAX_SECONDS: 'loginLockMaxSeconds',
  WEBHOOK_TIMEOUT_MS: 'webhookTimeoutMs',
  WEBHOOK_MAX_ATTEMPTS: 'webhookMaxAttempts',
  WEBHOOK_RETRY_BASE_SECONDS: 'webhookRetryBaseSeconds',
  WEBHOOK_LOG_DAYS: 'webhookLogDays',
  WEBHOOK_ENDPOINT_CACHE_SECONDS: 'webhookEndpointCacheSeconds',
  ATTACHMENT_MAX_BYTES: 'attachmentMaxBytes',
  ATTACHMENT_UPLOAD_SECONDS: 'attachmentUploadSeconds',
  ATTACHMENT_DOWNLOAD_SECONDS: 'attachmentDownloadSeconds',
} as const satisfies Partial<Record<keyof Config, string>>;

export type TunableVariable = keyof typeof TUNABLE_CONTEXT_KEYS;

/** The tunable variables as the Lambda environment carries them (strings). */
export type RuntimeSettings = Readonly<Record<TunableVariable, string>>;

export interface ThrottleLimits {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Requests allowed in a short burst. */
  readonly burstLimit: number;
}

/** Inputs of the traffic model the per-route throttles are sized from (lib/traffic-model.ts). */
export interface TrafficModelContext {
  readonly expectedConcurrentCustomers: number;
  readonly expectedAgents: number;
  readonly headroom: number;
  /** Per-route overrides, by WebSocket route key or HTTP `METHOD /path`. */
  readonly routeThrottles: Readonly<Record<string, ThrottleLimits>>;
}

/** CloudFront and a WAF web ACL in front of the APIs and the web pages. */
export interface EdgeContext {
  /** An existing web ACL (scope CLOUDFRONT, in us-east-1) to attach instead of creating one. */
  readonly webAclArn?: string;
  /** Requests per IP per 5 minutes, all paths; and on /v1/auth/* alone. */
  readonly rateLimitPerIp: number;
  readonly authRateLimitPerIp: number;
}

/** A custom domain on a CloudFront distribution, with its ACM certificate (us-east-1). */
export interface CustomDomain {
  readonly domainName: string;
  readonly certificateArn: string;
}

/** Email (docs/mail.md): sending from a verified SES identity, receiving replies on a domain. */
export interface MailContext {
  /** The From address (MAIL_FROM), on `domain`. */
  readonly from: string;
  /** The SES domain identity mail is sent from. */
  readonly domain: string;
  /** Where replies are received (an MX record to SES inbound): reply+<token>@ this domain. */
  readonly replyDomain: string;
  /** Create the domain identity (and its DKIM records to publish), or use one verified already. */
  readonly createIdentity: boolean;
  /** Days an inbound mail is kept in the receiving bucket. */
  readonly inboundRetentionDays: number;
}

export interface ParleyContext {
  readonly stackName: string;
  /** The region the stack is pinned to (`-c region=...`); absent: environment-agnostic. */
  readonly region?: string;
  readonly stageName: string;
  /** Stage-wide throttle: the ceiling over every route's own. */
  readonly throttle: ThrottleLimits;
  readonly trafficModel: TrafficModelContext;
  /** Present when the `webAcl` context value is on (or `webAclArn` is given). */
  readonly edge?: EdgeContext;
  /** The web pages' domain (TLS 1.2 minimum); absent: the distribution's own name. */
  readonly webDomain?: CustomDomain;
  /** The edge (API) distribution's domain, when the edge is on. */
  readonly apiDomain?: CustomDomain;
  readonly corsOrigins: readonly string[];
  readonly upstashSecretName: string;
  readonly alarmEmail?: string;
  /** The account's Lambda concurrency limit in the region; an alarm fires at 80% of it. */
  readonly accountConcurrencyLimit: number;
  /** Whether the CloudWatch Synthetics canary is deployed (lib/constructs/canary.ts). */
  readonly canary: boolean;
  /** Tagged on every resource as `CostCenter`, when given. */
  readonly costCenter?: string;
  /**
   * Whether the stack sets the account's API Gateway CloudWatch Logs role, which WebSocket
   * access logging requires. The setting is per account and region, so turn this off when
   * another stack already manages it.
   */
  readonly apiGatewayCloudWatchRole: boolean;
  /** Present when `mailFrom` and `mailDomain` are given: the Mail construct is composed. */
  readonly mail?: MailContext;
  /**
   * Days attachments are kept after they were sent (docs/attachments.md); absent: as long as
   * the messages, which are kept until erased. Set it to the message retention when one is set.
   */
  readonly attachmentRetentionDays?: number;
  /**
   * Days a closed conversation, its messages, notes and search postings are kept (DynamoDB TTL,
   * docs/data-rights.md "Retention"); absent: until erased. Attachments follow it unless
   * `attachmentRetentionDays` says otherwise.
   */
  readonly retentionDays?: number;
  /**
   * Active X-Ray tracing of every function (`tracing` context value, default on). Off, the
   * functions are not traced and their bundles leave out the Tracer and the X-Ray SDK (~120 KB
   * each; lib/constructs/parley-function.ts, docs/operations.md "Traces").
   */
  readonly tracing: boolean;
  readonly runtime: RuntimeSettings;
}

export class ParleyContextError extends Error {
  override readonly name = 'ParleyContextError';
}

/** Accepts a JSON array (cdk.json) or a comma-separated string (`-c corsOrigins=a,b`). */
function toList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return value; // left as a string, so validation reports it
    }
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Accepts an object (cdk.json) or its JSON text (`-c routeThrottles='{...}'`). */
function toObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
// CloudFront takes certificates from ACM in us-east-1 only.
const US_EAST_1_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;
const CERTIFICATE_MESSAGE = 'must be the ARN of an ACM certificate in us-east-1 (CloudFront uses no other region)';

function toBoolean(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** Every entry point has a TABLE_ACCESS entry, so its keys are every function's name. */
const LONGEST_FUNCTION_NAME = Object.keys(TABLE_ACCESS).reduce((longest, name) => (name.length > longest.length ? name : longest), '');
/**
 * The tighter of two bounds: functions are named `<stackName>-<name>` (Lambda caps those), and
 * the origin access control `<stackName>-web-site-<region>` (CloudFront caps it), both in
 * lib/constructs/naming.ts. Renaming a function must not loosen what the other allows.
 */
export const MAX_STACK_NAME_LENGTH = Math.min(
  MAX_FUNCTION_NAME_LENGTH - 1 - LONGEST_FUNCTION_NAME.length,
  MAX_ORIGIN_ACCESS_CONTROL_NAME_LENGTH - `--${WEB_SITE_ACCESS_CONTROL_SUFFIX}`.length - LONGEST_REGION_NAME.length,
);

const deploymentSchema = z.object({
  // CloudFormation stack names: a letter, then letters, digits and hyphens.
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold only letters, digits and hyphens')
    .max(
      MAX_STACK_NAME_LENGTH,
      `must be at most ${MAX_STACK_NAME_LENGTH} characters: functions are named <stackName>-<function> (at most ${MAX_FUNCTION_NAME_LENGTH}; the longest function is ${LONGEST_FUNCTION_NAME}) and the web origin access control <stackName>-${WEB_SITE_ACCESS_CONTROL_SUFFIX}-<region> (at most ${MAX_ORIGIN_ACCESS_CONTROL_NAME_LENGTH})`,
    )
    .default('Parley'),
  stageName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must hold only letters, digits, hyphens and underscores')
    .default('prod'),
  throttleRateLimit: z.coerce.number().positive().default(500),
  throttleBurstLimit: z.coerce.number().int().positive().default(1000),
  corsOrigins: z.preprocess(toList, z.array(z.string().min(1)).min(1)).default(['*']),
  upstashSecretName: z.string().min(1).default('parley/upstash'),
  alarmEmail: z.email().optional(),
  accountConcurrencyLimit: z.coerce.number().int().positive().default(DEFAULT_ACCOUNT_CONCURRENCY_LIMIT),
  canary: z.preprocess(toBoolean, z.boolean()).default(false),
  costCenter: z
    .string()
    .regex(/^[\p{L}\p{N}\s_.:/=+\-@]{1,256}$/u, 'must be a valid tag value (letters, digits, spaces and _ . : / = + - @)')
    .optional(),
  apiGatewayCloudWatchRole: z.preprocess(toBoolean, z.boolean()).default(true),
  expectedConcurrentCustomers: z.coerce.number().int().positive().default(1000),
  expectedAgents: z.coerce.number().int().positive().default(50),
  throttleHeadroom: z.coerce.number().min(1).default(3),
  routeThrottles: z
    .preprocess(
      toObject,
      z.record(z.string().min(1), z.strictObject({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })),
    )
    .default({}),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name, e.g. us-east-1')
    .optional(),
  webAcl: z.preprocess(toBoolean, z.boolean()).default(false),
  webAclArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/, 'must be the ARN of a CLOUDFRONT (global) web ACL in us-east-1')
    .optional(),
  webAclRateLimit: z.coerce.number().int().min(10).max(2_000_000_000).default(2000),
  webAclAuthRateLimit: z.coerce.number().int().min(10).max(2_000_000_000).default(100),
  webDomainName: z.string().regex(DOMAIN_NAME, 'must be a domain name').optional(),
  webCertificateArn: z.string().regex(US_EAST_1_CERTIFICATE, CERTIFICATE_MESSAGE).optional(),
  apiDomainName: z.string().regex(DOMAIN_NAME, 'must be a domain name').optional(),
  apiCertificateArn: z.string().regex(US_EAST_1_CERTIFICATE, CERTIFICATE_MESSAGE).optional(),
  mailFrom: z.email().max(254).optional(),
  mailDomain: z.string().regex(DOMAIN_NAME, 'must be a domain name').optional(),
  mailReplyDomain: z.string().regex(DOMAIN_NAME, 'must be a domain name').optional(),
  mailCreateIdentity: z.preprocess(toBoolean, z.boolean()).default(true),
  mailInboundRetentionDays: z.coerce.number().int().min(1).max(365).default(30),
  attachmentRetentionDays: z.coerce.number().int().min(1).max(36500).optional(),
  retentionDays: z.coerce.number().int().min(1).max(36500).optional(),
  tracing: z.preprocess(toBoolean, z.boolean()).default(true),
});

function mailContext(values: z.infer<typeof deploymentSchema>): MailContext | undefined {
  const { mailFrom, mailDomain } = values;
  if (mailFrom === undefined && mailDomain === undefined) {
    if (values.mailReplyDomain !== undefined) fail(['mailReplyDomain needs mailFrom and mailDomain']);
    return undefined;
  }
  if (mailFrom === undefined || mailDomain === undefined) fail(['mailFrom and mailDomain go together']);
  const fromDomain = mailFrom.split('@')[1]?.toLowerCase() ?? '';
  if (fromDomain !== mailDomain && !fromDomain.endsWith(`.${mailDomain}`)) {
    fail([`mailFrom must be an address on mailDomain (${mailDomain}), the identity SES verifies`]);
  }
  return {
    from: mailFrom,
    domain: mailDomain,
    // A subdomain of its own, so its MX record (to SES) leaves the domain's own mail alone.
    replyDomain: values.mailReplyDomain ?? `reply.${mailDomain}`,
    createIdentity: values.mailCreateIdentity,
    inboundRetentionDays: values.mailInboundRetentionDays,
  };
}

/** Pairs that must be given together. */
function customDomain(domainName: string | undefined, certificateArn: string | undefined, prefix: string): CustomDomain | undefined {
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined || certificateArn === undefined) fail([`${prefix}DomainName and ${prefix}CertificateArn go together`]);
  return { domainName, certificateArn };
}

type DeploymentKey = keyof typeof deploymentSchema.shape;

function fail(problems: readonly string[]): never {
  throw new ParleyContextError(`Invalid Parley context: ${problems.join('; ')}`);
}

/** Validates each tunable with the very schema the Lambdas use at cold start. */
function readRuntimeSettings(node: Node): RuntimeSettings {
  const settings: Partial<Record<TunableVariable, string>> = {};
  const problems: string[] = [];
  for (const [variable, contextKey] of Object.entries(TUNABLE_CONTEXT_KEYS) as [TunableVariable, string][]) {
    const value: unknown = node.tryGetContext(contextKey);
    // cdk.json may hold a list (oidcIssuers) as JSON itself; the Lambda reads it as text.
    const parsed = configSchema.shape[variable].safeParse(typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
    if (parsed.success) settings[variable] = String(parsed.data);
    else problems.push(...parsed.error.issues.map((issue) => `${contextKey}: ${issue.message}`));
  }
  if (problems.length > 0) fail(problems);
  return settings as RuntimeSettings;
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

export function readParleyContext(node: Node): ParleyContext {
  const keys = Object.keys(deploymentSchema.shape) as DeploymentKey[];
  const raw = Object.fromEntries(keys.map((key) => [key, node.tryGetContext(key) as unknown]));
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const values = parsed.data;
  if (values.apiDomainName !== undefined && !values.webAcl && values.webAclArn === undefined) {
    fail(['apiDomainName names the edge distribution in front of the APIs: turn on webAcl (or give webAclArn) too']);
  }
  return {
    stackName: values.stackName,
    stageName: values.stageName,
    ...optional('region', values.region),
    throttle: { rateLimit: values.throttleRateLimit, burstLimit: values.throttleBurstLimit },
    trafficModel: {
      expectedConcurrentCustomers: values.expectedConcurrentCustomers,
      expectedAgents: values.expectedAgents,
      headroom: values.throttleHeadroom,
      routeThrottles: values.routeThrottles,
    },
    ...(values.webAcl || values.webAclArn !== undefined
      ? {
          edge: {
            ...(values.webAclArn === undefined ? {} : { webAclArn: values.webAclArn }),
            rateLimitPerIp: values.webAclRateLimit,
            authRateLimitPerIp: values.webAclAuthRateLimit,
          },
        }
      : {}),
    ...optional('webDomain', customDomain(values.webDomainName, values.webCertificateArn, 'web')),
    ...optional('apiDomain', customDomain(values.apiDomainName, values.apiCertificateArn, 'api')),
    corsOrigins: values.corsOrigins,
    upstashSecretName: values.upstashSecretName,
    ...(values.alarmEmail === undefined ? {} : { alarmEmail: values.alarmEmail }),
    accountConcurrencyLimit: values.accountConcurrencyLimit,
    canary: values.canary,
    ...optional('costCenter', values.costCenter),
    apiGatewayCloudWatchRole: values.apiGatewayCloudWatchRole,
    ...optional('mail', mailContext(values)),
    ...optional('attachmentRetentionDays', values.attachmentRetentionDays),
    ...optional('retentionDays', values.retentionDays),
    tracing: values.tracing,
    runtime: readRuntimeSettings(node),
  };
}
