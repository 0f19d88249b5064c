import { z } from 'zod';

/**
 * Everything a Lambda reads from its environment, validated once at cold start.
 * The CDK stack sets these on AWS; the local stack sets the same names, pointing at
 * its emulators (plus the SDK's own AWS_ENDPOINT_URL_* variables).
 */
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(1),
  ROUTING_QUEUE_URL: z.string().url(),
  /** Management API endpoint: https://{apiId}.execute-api.{region}.amazonaws.com/{stage} */
  WS_CALLBACK_URL: z.string().url(),
  /** Secrets Manager secret holding the HS256 signing key (a string of at least 32 chars). */
  JWT_SECRET_ID: z.string().min(1),
  /** Secrets Manager secret holding {"url": "...", "token": "..."} for Upstash Redis. */
  UPSTASH_SECRET_ID: z.string().min(1),
  JWT_ISSUER: z.string().min(1).default('parley'),
  JWT_AUDIENCE: z.string().min(1).default('parley'),
  HEARTBEAT_SECONDS: positiveInt(30),
  DEFAULT_SKILL: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/).default('general'),
  GUEST_TOKEN_SECONDS: positiveInt(24 * 3600),
  AGENT_TOKEN_SECONDS: positiveInt(12 * 3600),
  /** Connection records outlive API Gateway's 2-hour cap a little, then TTL removes them. */
  CONNECTION_TTL_SECONDS: positiveInt(2 * 3600 + 300),
  /** Secrets are re-read at most this often (Powertools Parameters cache). */
  SECRETS_CACHE_SECONDS: positiveInt(300),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid Parley configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
