import type { Node } from 'constructs';
import { z } from 'zod';
import { configSchema, type Config } from '../functions/config';

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
  MAX_CONNECTIONS_PER_CUSTOMER: 'maxConnectionsPerCustomer',
  MAX_CONNECTIONS_PER_STAFF: 'maxConnectionsPerStaff',
  LOGIN_FREE_ATTEMPTS: 'loginFreeAttempts',
  LOGIN_LOCK_BASE_MS: 'loginLockBaseMs',
  LOGIN_LOCK_MAX_SECONDS: 'loginLockMaxSeconds',
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

export interface ParleyContext {
  readonly stackName: string;
  readonly stageName: string;
  readonly throttle: ThrottleLimits;
  readonly corsOrigins: readonly string[];
  readonly upstashSecretName: string;
  readonly alarmEmail?: string;
  /**
   * Whether the stack sets the account's API Gateway CloudWatch Logs role, which WebSocket
   * access logging requires. The setting is per account and region, so turn this off when
   * another stack already manages it.
   */
  readonly apiGatewayCloudWatchRole: boolean;
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

function toBoolean(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

const deploymentSchema = z.object({
  // CloudFormation stack names: a letter, then letters, digits and hyphens.
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter and hold only letters, digits and hyphens')
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
  apiGatewayCloudWatchRole: z.preprocess(toBoolean, z.boolean()).default(true),
});

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

export function readParleyContext(node: Node): ParleyContext {
  const keys = Object.keys(deploymentSchema.shape) as DeploymentKey[];
  const raw = Object.fromEntries(keys.map((key) => [key, node.tryGetContext(key) as unknown]));
  const parsed = deploymentSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const values = parsed.data;
  return {
    stackName: values.stackName,
    stageName: values.stageName,
    throttle: { rateLimit: values.throttleRateLimit, burstLimit: values.throttleBurstLimit },
    corsOrigins: values.corsOrigins,
    upstashSecretName: values.upstashSecretName,
    ...(values.alarmEmail === undefined ? {} : { alarmEmail: values.alarmEmail }),
    apiGatewayCloudWatchRole: values.apiGatewayCloudWatchRole,
    runtime: readRuntimeSettings(node),
  };
}
