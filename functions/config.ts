import * as z from './shared/zod';
import { DEFAULT_ATTACHMENT_MAX_BYTES } from './domain/attachment';
import { oidcIdPrefixProblem } from './domain/identity';

/**
 * Everything a Lambda reads from its environment, validated once at cold start.
 * The CDK stack sets these on AWS; the local stack sets the same names, pointing at
 * its emulators (plus the SDK's own AWS_ENDPOINT_URL_* variables).
 */
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

/** A rate limit written `<requests>/<seconds>`, e.g. `120/60` for 120 a minute. */
const RATE_LIMIT_PATTERN = /^[1-9]\d{0,6}\/[1-9]\d{0,6}$/;
const rateLimit = (fallback: string) =>
  z._default(z.string().check(z.regex(RATE_LIMIT_PATTERN, 'write a rate limit as <requests>/<seconds>, e.g. 120/60')), fallback);

export function parseRateLimit(value: string): { limit: number; windowSeconds: number } {
  const [limit, windowSeconds] = value.split('/').map(Number) as [number, number];
  return { limit, windowSeconds };
}

/** OIDC issuers whose agents and supervisors Parley accepts (a JSON array in OIDC_ISSUERS). */
const oidcIssuerSchema = z.strictObject({
  issuer: z.string().check(z.url()),
  audience: z.string().check(z.minLength(1)),
  jwksUrl: z.string().check(z.url()),
  /** Pinned: tokens signed with any other algorithm are refused. */
  algorithms: z
    .array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']))
    .check(z.minLength(1)),
  /** Roles this issuer may grant; a token claiming another is refused. */
  roles: z._default(z.array(z.enum(['agent', 'supervisor', 'admin'])).check(z.minLength(1)), ['agent', 'supervisor']),
  /** Claim holding the role (a string, or an array from which the first allowed role is taken). */
  roleClaim: z._default(z.string().check(z.minLength(1)), 'role'),
  /** Prepended to `sub` so an outside identity can never collide with a local one. */
  idPrefix: z.string().check(
    z.regex(/^[A-Za-z0-9_.:@-]{1,32}$/),
    z.superRefine((idPrefix, ctx) => {
      const problem = oidcIdPrefixProblem(idPrefix);
      if (problem) ctx.addIssue({ code: 'custom', message: `idPrefix ${JSON.stringify(idPrefix)} is not allowed: ${problem}` });
    }),
  ),
});
export type OidcIssuer = z.infer<typeof oidcIssuerSchema>;
const oidcIssuerList = z.array(oidcIssuerSchema).check(z.maxLength(10));

export function parseOidcIssuers(text: string): OidcIssuer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return oidcIssuerList.parse(json);
}

const oidcIssuers = z._default(z.string(), '[]').check(
  z.refine((text) => {
    try {
      return oidcIssuerList.safeParse(JSON.parse(text)).success;
    } catch {
      return false;
    }
  }, 'OIDC_ISSUERS must be a JSON array of {issuer, audience, jwksUrl, algorithms, idPrefix, roles?, roleClaim?}'),
);

export const configSchema = z.object({
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** Endpoint overrides under the SDK's own names: unset on AWS, the emulators' URLs locally. */
  AWS_ENDPOINT_URL_DYNAMODB: z.optional(z.string().check(z.url())),
  AWS_ENDPOINT_URL_SQS: z.optional(z.string().check(z.url())),
  AWS_ENDPOINT_URL_SECRETS_MANAGER: z.optional(z.string().check(z.url())),
  AWS_ENDPOINT_URL_SESV2: z.optional(z.string().check(z.url())),
  AWS_ENDPOINT_URL_S3: z.optional(z.string().check(z.url())),
  TABLE_NAME: z.string().check(z.minLength(1)),
  ROUTING_QUEUE_URL: z.string().check(z.url()),
  /** The routing queue's DLQ: the router parks triggers that can never succeed there at once (unset: SQS parks them after maxReceiveCount). */
  ROUTING_DEAD_LETTER_QUEUE_URL: z.optional(z.string().check(z.url())),
  /**
   * The events queue (docs/events.md): use cases publish domain events here, the events
   * consumer runs the sinks (reports, ...). Unset: events are discarded (never on AWS).
   */
  EVENTS_QUEUE_URL: z.optional(z.string().check(z.url())),
  /** Management API endpoint: https://{apiId}.execute-api.{region}.amazonaws.com/{stage} */
  WS_CALLBACK_URL: z.string().check(z.url()),
  /**
   * Secrets Manager secret holding the private ES256 signing-key set (functions/adapters/jwt/key-sets.ts);
   * only the minting functions and the rotation function may read it.
   */
  SIGNING_KEYS_SECRET_ID: z.string().check(z.minLength(1)),
  /** The public verification-key set every verifier reads; only the rotation function writes it. */
  VERIFICATION_KEYS_SECRET_ID: z.string().check(z.minLength(1)),
  /** Secrets Manager secret holding {"url": "...", "token": "..."} for Upstash Redis. */
  UPSTASH_SECRET_ID: z.string().check(z.minLength(1)),
  JWT_ISSUER: z._default(z.string().check(z.minLength(1)), 'parley'),
  JWT_AUDIENCE: z._default(z.string().check(z.minLength(1)), 'parley'),
  HEARTBEAT_SECONDS: positiveInt(30),
  DEFAULT_SKILL: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,31}$/)), 'general'),
  GUEST_TOKEN_SECONDS: positiveInt(24 * 3600),
  /** How long a staff sign-in (its refresh-token family) lasts, however often it is refreshed. */
  AGENT_TOKEN_SECONDS: positiveInt(12 * 3600),
  /** Staff access tokens: short-lived (at most 15 minutes), renewed with the rotating refresh token. */
  STAFF_ACCESS_TOKEN_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(900)), 900),
  /** Connection records outlive API Gateway's 2-hour cap a little, then TTL removes them. */
  CONNECTION_TTL_SECONDS: positiveInt(2 * 3600 + 300),
  /** Secrets are re-read at most this often (Powertools Parameters cache). */
  SECRETS_CACHE_SECONDS: positiveInt(300),
  /** An agent without a heartbeat (or status change) for this long counts as offline. */
  PRESENCE_GRACE_SECONDS: positiveInt(60),
  /**
   * Reconciliation removes a capacity claim no conversation backs only once it is this old:
   * younger ones may belong to a router between its claim and its write (router timeout 30 s).
   */
  CLAIM_MIN_AGE_SECONDS: positiveInt(120),
  /**
   * Abandoned chats (docs/routing.md): an assigned chat whose customer has no connection and
   * has written nothing this long after the agent's last message gets a "still there?" notice,
   * and is closed ABANDON_CLOSE_AFTER_SECONDS after it if the customer still says nothing.
   */
  ABANDON_AFTER_SECONDS: positiveInt(900),
  ABANDON_CLOSE_AFTER_SECONDS: positiveInt(300),
  /** An agent whose last connection ended goes away after this long unless it reconnects (an SQS delay: at most 900). */
  AGENT_LEAVE_GRACE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(900)), 15),
  /** A queued customer who has waited longer than this is offered to turn the chat into an email ticket. */
  QUEUE_TICKET_OFFER_SECONDS: positiveInt(600),
  /** Business hours are re-read at most this often per Lambda container (the public availability route reads them). */
  HOURS_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(60)), 5),
  /** The configured skill list and each skill's auto-replies are re-read at most this often per Lambda container (every start reads both). */
  SKILLS_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(60)), 5),
  /** Secret holding the HS256 key embedding sites sign identified-customer tokens with (optional). */
  IDENTIFIED_CUSTOMER_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  /** The `iss` of identified-customer tokens. */
  IDENTIFIED_CUSTOMER_ISSUER: z._default(z.string().check(z.minLength(1)), 'parley-site'),
  OIDC_ISSUERS: oidcIssuers,
  /** The longest a token may live (exp - iat), per role, whoever issued it. */
  MAX_TOKEN_SECONDS_CUSTOMER: positiveInt(24 * 3600),
  MAX_TOKEN_SECONDS_AGENT: positiveInt(12 * 3600),
  MAX_TOKEN_SECONDS_SUPERVISOR: positiveInt(12 * 3600),
  MAX_TOKEN_SECONDS_ADMIN: positiveInt(8 * 3600),
  /**
   * Abuse limits, one per rule of functions/domain/limits.ts (which says what each counts and
   * per what); docs/security.md "Rate limits" gives each default's reasoning.
   */
  RATE_LIMIT_CONNECTS_PER_IP: rateLimit('300/60'),
  RATE_LIMIT_CONNECTS_PER_USER: rateLimit('30/60'),
  RATE_LIMIT_MESSAGES: rateLimit('120/60'),
  RATE_LIMIT_MESSAGES_PER_USER: rateLimit('300/60'),
  RATE_LIMIT_STARTS: rateLimit('30/3600'),
  RATE_LIMIT_TYPING: rateLimit('120/60'),
  RATE_LIMIT_READS: rateLimit('300/60'),
  RATE_LIMIT_SYNCS: rateLimit('60/60'),
  RATE_LIMIT_HEARTBEATS: rateLimit('120/60'),
  RATE_LIMIT_CONVERSATION_CHANGES: rateLimit('60/60'),
  RATE_LIMIT_GUEST_TOKENS: rateLimit('60/60'),
  RATE_LIMIT_LOGINS: rateLimit('30/60'),
  RATE_LIMIT_SESSION_CALLS: rateLimit('120/60'),
  RATE_LIMIT_API_READS: rateLimit('120/60'),
  RATE_LIMIT_AGENT_CHANGES: rateLimit('30/60'),
  /** Transcripts emailed per customer: each one is a mail sent in Parley's name. */
  RATE_LIMIT_TRANSCRIPTS: rateLimit('5/3600'),
  /**
   * Outbound email (docs/mail.md). The verified SES identity mail is sent from; unset, the
   * mailer is a placeholder and every feature that emails answers `unavailable`.
   */
  MAIL_FROM: z.optional(z.email().check(z.maxLength(254))),
  /** The domain SES receives replies on: a reply to a ticket mail goes to reply+<token>@ it. */
  MAIL_REPLY_DOMAIN: z.optional(
    z.string().check(z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain name')),
  ),
  /** The SES configuration set whose event destination reports bounces and complaints. */
  MAIL_CONFIGURATION_SET: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
  /** Public availability reads per IP: widgets without a conversation poll it (about one a minute each). */
  RATE_LIMIT_AVAILABILITY: rateLimit('120/60'),
  /** Admin settings saves (business hours, auto-replies). */
  RATE_LIMIT_SETTINGS_CHANGES: rateLimit('30/60'),
  /** Attachments (issue 11, docs/attachments.md): the private bucket; unset, attachments answer `unavailable`. */
  ATTACHMENTS_BUCKET: z.optional(z.string().check(z.minLength(1))),
  /** The largest file a participant may attach (bytes, default 10 MiB; at most 100 MiB). */
  ATTACHMENT_MAX_BYTES: z._default(
    z.coerce.number().check(z.int(), z.positive(), z.maximum(100 * 1024 * 1024)),
    DEFAULT_ATTACHMENT_MAX_BYTES,
  ),
  /** How long an upload grant (presigned POST) is valid. */
  ATTACHMENT_UPLOAD_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(30), z.maximum(3600)), 300),
  /** How long a download URL (presigned GET) is valid. */
  ATTACHMENT_DOWNLOAD_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(30), z.maximum(3600)), 300),
  /**
   * Days a closed conversation, its messages, notes and search postings are kept before
   * DynamoDB TTL removes them (docs/data-rights.md "Retention"); unset: kept until erased.
   */
  RETENTION_DAYS: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(36500))),
  /** Live connections one identity may hold; the one over the cap is refused at $connect. */
  MAX_CONNECTIONS_PER_CUSTOMER: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(1000)), 10),
  MAX_CONNECTIONS_PER_STAFF: z._default(z.coerce.number().check(z.int(), z.positive(), z.maximum(1000)), 20),
  /** Login back-off per email and IP: free failures, then a lock doubling from the base. */
  LOGIN_FREE_ATTEMPTS: positiveInt(5),
  LOGIN_LOCK_BASE_MS: positiveInt(1000),
  LOGIN_LOCK_MAX_SECONDS: positiveInt(900),
  /**
   * Webhooks (docs/webhooks.md). The `webhook-deliveries` queue: the `webhooks` sink and the test
   * route send deliveries there, the delivery worker its retries. Unset, nothing is delivered.
   */
  WEBHOOK_DELIVERY_QUEUE_URL: z.optional(z.string().check(z.url())),
  /** One delivery attempt (connect, send, answer) must finish within this. */
  WEBHOOK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(100), z.maximum(10_000)), 5000),
  /** Attempts per delivery, the first included; after the last failure it is given up (and logged so). */
  WEBHOOK_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(20)), 8),
  /** The wait before the second attempt, doubling per attempt up to 900 s (SQS DelaySeconds). */
  WEBHOOK_RETRY_BASE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(900)), 30),
  /** Days a delivery log entry is kept (TTL). */
  WEBHOOK_LOG_DAYS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(90)), 14),
  /** The sink re-reads the endpoint list at most this often per container. */
  WEBHOOK_ENDPOINT_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(60)), 5),
  /** The local stack only (never deployed): http://localhost endpoints and loopback targets are allowed. */
  WEBHOOK_ALLOW_LOCAL_HTTP: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((value) => value === 'true'),
  ),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Never set on a deployed function: Lambda sets AWS_REGION itself (and refuses it as a user
 * variable), and the endpoint overrides exist for the local emulators only.
 */
export const NOT_DEPLOYED = [
  'AWS_REGION',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_S3',
  // Local receivers only: on AWS a webhook is always https to a public address.
  'WEBHOOK_ALLOW_LOCAL_HTTP',
] as const;

/** Set on a deployed function only when the stack is given a mail identity (lib/constructs/mail.ts). */
export const MAIL_SETTINGS = ['MAIL_FROM', 'MAIL_REPLY_DOMAIN', 'MAIL_CONFIGURATION_SET'] as const;
/** Set on a deployed function only when the stack is given `retentionDays` (docs/data-rights.md). */
export const RETENTION_SETTINGS = ['RETENTION_DAYS'] as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid Parley configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
