import { AsyncLocalStorage } from 'node:async_hooks';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpHandler } from '@smithy/core/protocols';
import { Redis } from '@upstash/redis';
import { DynamoAgentDirectory } from './adapters/dynamodb/agent-directory';
import { DynamoAgentStatusRecord } from './adapters/dynamodb/agent-status-record';
import { DynamoAutoReplyStore } from './adapters/dynamodb/auto-reply-store';
import { DynamoCannedResponseStore } from './adapters/dynamodb/canned-response-store';
import { DynamoConnectionStore } from './adapters/dynamodb/connection-store';
import { DynamoCredentialStore } from './adapters/dynamodb/credential-store';
import { DynamoEmailAddressStore } from './adapters/dynamodb/email-address-store';
import { DynamoConversationStore } from './adapters/dynamodb/conversation-store';
import { DynamoNoteStore } from './adapters/dynamodb/note-store';
import { DynamoHoursStore } from './adapters/dynamodb/hours-store';
import { DynamoSearchIndex } from './adapters/dynamodb/search-index';
import { DynamoSkillStore } from './adapters/dynamodb/skill-store';
import { DynamoSessionStore } from './adapters/dynamodb/session-store';
import { DynamoTicketStore } from './adapters/dynamodb/ticket-store';
import { DynamoReportStore } from './adapters/dynamodb/report-store';
import { ManagementApiNotifier } from './adapters/apigw/connection-notifier';
import { randomOpaqueTokens } from './adapters/crypto/opaque-tokens';
import { scryptHasher } from './adapters/crypto/password-hasher';
import { es256Keys } from './adapters/jwt/es256-keys';
import { SigningKeySource, VerificationKeySource } from './adapters/jwt/key-sources';
import { JoseTokenService } from './adapters/jwt/token-service';
import { CLOCK_TOLERANCE_SECONDS } from './adapters/jwt/verify-jws';
import { S3AttachmentStore } from './adapters/s3/attachment-bucket';
import { DynamoAuditLog } from './adapters/dynamodb/audit-log';
import { DynamoCustomerErasure } from './adapters/dynamodb/customer-erasure';
import { S3InboundMailSource } from './adapters/s3/inbound-mail-bucket';
import { magicBytesDetector } from './adapters/mime/file-type-detector';
import { SesMailer } from './adapters/ses/ses-mailer';
import { SecretsManagerKeyRotationStore } from './adapters/secrets/key-rotation-store';
import { SecretSource } from './adapters/secrets/secret-source';
import { SqsDeadLetterQueue } from './adapters/sqs/dead-letter-queue';
import { discardingEventPublisher, SqsDomainEventPublisher } from './adapters/sqs/domain-event-publisher';
import { SqsRoutingQueue } from './adapters/sqs/routing-queue';
import { SqsWebhookDeliveryQueue } from './adapters/sqs/webhook-delivery-queue';
import { DynamoWebhookStore } from './adapters/dynamodb/webhook-store';
import { nodeWebhookTransport } from './adapters/http/webhook-transport';
import type { WebhookDeps } from './services/webhooks';
import type { DomainEventSink } from './ports/domain-events';
import type { DeadLetterQueue } from './ports/dead-letter-queue';
import { CachedHoursStore } from './adapters/system/cached-hours-store';
import { CachedSkillStore } from './adapters/system/cached-skill-store';
import { DirectoryConnectionStore } from './adapters/system/directory-connection-store';
import { systemClock, ulidGenerator } from './adapters/system/clock';
import { unconfiguredMailer } from './adapters/system/unconfigured-mailer';
import { UpstashAgentPresence } from './adapters/upstash/agent-presence';
import { UpstashConnectionDirectory } from './adapters/upstash/connection-directory';
import { UpstashLoginBackoff } from './adapters/upstash/login-backoff';
import { UpstashRateLimiter } from './adapters/upstash/rate-limiter';
import { loadConfig, parseOidcIssuers, parseRateLimit, type Config } from './config';
import type { KeyPolicy } from './domain/signing-keys';
import type { Clock } from './ports/clock';
import { LIMIT_RULE_NAMES, LIMIT_RULES, type LimitRuleName } from './domain/limits';
import type { RateLimit } from './ports/rate-limiter';
import type { Ports } from './services/context';
import { refusingSuppressed } from './services/outbound-mail';
import type { KeyRotationDeps } from './services/signing-key-rotation';
import { serviceMetrics } from './shared/business-metrics';
import { logger, metrics, MetricUnit } from './shared/observability';
import { captureClients } from './shared/tracing';

/**
 * The one place that builds adapters, from a configuration it is given. On Lambda the
 * configuration is the function's environment, read once per container; the local stack
 * passes each stack its own, so several stacks fit in one process. Clients are created once
 * per wiring and reused; secrets are fetched on first use and cached (so a handler that
 * never touches Redis never reads the Upstash secret).
 */
export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly managementApi: ApiGatewayManagementApiClient;
  readonly secretsManager: SecretsManagerClient;
  readonly sesv2: SESv2Client;
  /** Reads inbound mail (path-style locally: the local S3 endpoint has no bucket host names). */
  readonly s3: S3Client;
}

export interface Wiring {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly ports: Ports;
  /** Where the router parks triggers that can never succeed (absent without ROUTING_DEAD_LETTER_QUEUE_URL). */
  readonly deadLetters?: DeadLetterQueue;
  /** Sinks the events consumer runs after the registered ones (services/event-sinks.ts); tests add recorders. */
  readonly extraEventSinks: readonly DomainEventSink[];
  /** What the rotation function needs to rotate the signing-key secret `secretId`. */
  keyRotation(secretId: string): KeyRotationDeps;
  /** Webhooks (docs/webhooks.md): the endpoint store, the delivery queue and the transport. */
  readonly webhooks: WebhookDeps;
}

export interface WiringOptions {
  /** The clock tokens, sessions and key rotation read (tests move it; the system clock otherwise). */
  readonly clock?: Clock;
  /** Extra sinks for the events consumer (tests record what reached it); none on AWS. */
  readonly eventSinks?: readonly DomainEventSink[];
  /**
   * The transport every AWS SDK client sends its requests with; absent (as on AWS), the SDK's
   * own. The local stack hands requests to its emulators in memory (local/in-process).
   */
  readonly requestHandler?: HttpHandler;
}

/** A new key signs only after every verifier's cache can have expired, plus this much. */
export const KEY_ACTIVATION_MARGIN_SECONDS = 60;

/** The key timing this configuration implies (functions/domain/signing-keys.ts). */
export function keyPolicy(config: Config): KeyPolicy {
  const longestToken = Math.max(
    config.MAX_TOKEN_SECONDS_CUSTOMER,
    config.MAX_TOKEN_SECONDS_AGENT,
    config.MAX_TOKEN_SECONDS_SUPERVISOR,
    config.MAX_TOKEN_SECONDS_ADMIN,
  );
  return {
    activationDelaySeconds: config.SECRETS_CACHE_SECONDS + KEY_ACTIVATION_MARGIN_SECONDS,
    retiredKeyGraceSeconds: longestToken + CLOCK_TOLERANCE_SECONDS,
    cacheSeconds: config.SECRETS_CACHE_SECONDS,
  };
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((error: unknown) => {
      value = undefined; // let the next call retry a failed fetch
      throw error;
    });
    return value;
  };
}

/** How long a rate-limit check waits for Redis before its rule's fail policy applies. */
const FAIL_OPEN_TIMEOUT_MS = 1_000;
const FAIL_CLOSED_TIMEOUT_MS = 3_000;

/** An endpoint override (the SDK's own AWS_ENDPOINT_URL_* names), absent on AWS. */
const endpoint = (url: string | undefined) => (url ? { endpoint: url } : {});

export function createWiring(config: Config, options: WiringOptions = {}): Wiring {
  const region = config.AWS_REGION;
  const clock = options.clock ?? systemClock;
  const policy = keyPolicy(config);
  // Traced (each SDK call an X-Ray subsegment) only on Lambda with tracing on; as built otherwise.
  const transport = options.requestHandler ? { requestHandler: options.requestHandler } : {};
  const clients: AwsClients = captureClients({
    dynamodb: new DynamoDBClient({ region, ...transport, ...endpoint(config.AWS_ENDPOINT_URL_DYNAMODB) }),
    sqs: new SQSClient({ region, ...transport, ...endpoint(config.AWS_ENDPOINT_URL_SQS) }),
    managementApi: new ApiGatewayManagementApiClient({ region, ...transport, endpoint: config.WS_CALLBACK_URL }),
    secretsManager: new SecretsManagerClient({ region, ...transport, ...endpoint(config.AWS_ENDPOINT_URL_SECRETS_MANAGER) }),
    sesv2: new SESv2Client({ region, ...transport, ...endpoint(config.AWS_ENDPOINT_URL_SESV2) }),
    s3: new S3Client({
      region,
      ...transport,
      ...endpoint(config.AWS_ENDPOINT_URL_S3),
      forcePathStyle: config.AWS_ENDPOINT_URL_S3 !== undefined,
    }),
  });
  const documents = DynamoDBDocumentClient.from(clients.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const secrets = new SecretSource(clients.secretsManager, config.SECRETS_CACHE_SECONDS);
  const redis = once(async () => {
    const { url, token } = await secrets.upstash(config.UPSTASH_SECRET_ID);
    return new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });
  });
  const ids = ulidGenerator();
  const maxTokenSeconds = {
    customer: config.MAX_TOKEN_SECONDS_CUSTOMER,
    agent: config.MAX_TOKEN_SECONDS_AGENT,
    supervisor: config.MAX_TOKEN_SECONDS_SUPERVISOR,
    admin: config.MAX_TOKEN_SECONDS_ADMIN,
  };
  const identifiedCustomerSecretId = config.IDENTIFIED_CUSTOMER_SECRET_ID;
  let signingKeys: SigningKeySource | undefined;
  let verificationKeys: VerificationKeySource | undefined;
  const oidcIssuers = parseOidcIssuers(config.OIDC_ISSUERS);
  const emailAddresses = new DynamoEmailAddressStore(documents, config.TABLE_NAME);
  // Without a sending identity the placeholder answers `unavailable`; with one, SES v2.
  const mailer = config.MAIL_FROM
    ? refusingSuppressed(
        new SesMailer(clients.sesv2, {
          from: config.MAIL_FROM,
          replyDomain: config.MAIL_REPLY_DOMAIN,
          configurationSet: config.MAIL_CONFIGURATION_SET,
        }),
        emailAddresses,
      )
    : unconfiguredMailer;
  // Each rule's `<requests>/<seconds>` from the setting the rule table names. A rule that
  // fails closed waits longer for a slow Redis: refusing costs more than waiting there.
  const limits = Object.fromEntries(
    LIMIT_RULE_NAMES.map((rule) => [
      rule,
      {
        ...parseRateLimit(config[LIMIT_RULES[rule].setting as keyof Config] as string),
        timeoutMs: LIMIT_RULES[rule].failPolicy === 'closed' ? FAIL_CLOSED_TIMEOUT_MS : FAIL_OPEN_TIMEOUT_MS,
      },
    ]),
  ) as Record<LimitRuleName, RateLimit>;
  // Users' live connections beside the rate-limit counters (docs/connection-directory.md).
  const connectionDirectory = new UpstashConnectionDirectory({ redis, limits, entrySeconds: config.CONNECTION_TTL_SECONDS });
  const ports: Ports = {
    conversations: new DynamoConversationStore(documents, config.TABLE_NAME, ids),
    notes: new DynamoNoteStore(documents, config.TABLE_NAME, ids),
    tickets: new DynamoTicketStore(documents, config.TABLE_NAME),
    connections: new DirectoryConnectionStore(new DynamoConnectionStore(documents, config.TABLE_NAME), connectionDirectory, {
      warn: (message, extra) => logger.warn(message, { ...extra }),
    }),
    connectionDirectory,
    autoReplies: new DynamoAutoReplyStore(documents, config.TABLE_NAME),
    cannedResponses: new DynamoCannedResponseStore(documents, config.TABLE_NAME),
    search: new DynamoSearchIndex(documents, config.TABLE_NAME),
    agents: new DynamoAgentDirectory(documents, config.TABLE_NAME),
    agentStatuses: new DynamoAgentStatusRecord(documents, config.TABLE_NAME),
    credentials: new DynamoCredentialStore(documents, config.TABLE_NAME),
    sessions: new DynamoSessionStore(documents, config.TABLE_NAME),
    opaqueTokens: randomOpaqueTokens,
    notifier: new ManagementApiNotifier(clients.managementApi),
    routingQueue: new SqsRoutingQueue(clients.sqs, config.ROUTING_QUEUE_URL),
    reports: new DynamoReportStore(documents, config.TABLE_NAME),
    audit: new DynamoAuditLog(documents, config.TABLE_NAME),
    erasure: new DynamoCustomerErasure(documents, config.TABLE_NAME),
    events: config.EVENTS_QUEUE_URL ? new SqsDomainEventPublisher(clients.sqs, config.EVENTS_QUEUE_URL) : discardingEventPublisher,
    presence: new UpstashAgentPresence(redis, { defaultSkill: config.DEFAULT_SKILL, graceSeconds: config.PRESENCE_GRACE_SECONDS }),
    skills: new CachedSkillStore(new DynamoSkillStore(documents, config.TABLE_NAME), clock, config.SKILLS_CACHE_SECONDS * 1000),
    hours: new CachedHoursStore(new DynamoHoursStore(documents, config.TABLE_NAME), clock, config.HOURS_CACHE_SECONDS * 1000),
    mailer,
    emailAddresses,
    inboundMail: new S3InboundMailSource(clients.s3),
    ...(config.ATTACHMENTS_BUCKET
      ? {
          attachments: {
            store: new S3AttachmentStore(clients.s3, config.ATTACHMENTS_BUCKET),
            detector: magicBytesDetector,
            maxBytes: config.ATTACHMENT_MAX_BYTES,
            uploadSeconds: config.ATTACHMENT_UPLOAD_SECONDS,
            downloadSeconds: config.ATTACHMENT_DOWNLOAD_SECONDS,
          },
        }
      : {}),
    tokens: new JoseTokenService({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      signingKeys: () => {
        signingKeys ??= new SigningKeySource((read) => secrets.read(config.SIGNING_KEYS_SECRET_ID, read));
        return signingKeys;
      },
      verificationKeys: () => {
        verificationKeys ??= new VerificationKeySource((read) => secrets.read(config.VERIFICATION_KEYS_SECRET_ID, read), policy);
        return verificationKeys;
      },
      maxTokenSeconds,
      ...(identifiedCustomerSecretId
        ? { identifiedCustomers: { issuer: config.IDENTIFIED_CUSTOMER_ISSUER, key: () => secrets.hmacKey(identifiedCustomerSecretId) } }
        : {}),
      oidcIssuers,
      now: () => clock.now(),
    }),
    rateLimiter: new UpstashRateLimiter({ redis, limits }),
    loginBackoff: new UpstashLoginBackoff(redis, {
      freeAttempts: config.LOGIN_FREE_ATTEMPTS,
      baseLockMs: config.LOGIN_LOCK_BASE_MS,
      maxLockMs: config.LOGIN_LOCK_MAX_SECONDS * 1000,
      memoryMs: Math.max(3600, config.LOGIN_LOCK_MAX_SECONDS * 2) * 1000,
    }),
    passwords: scryptHasher,
    clock,
    ids,
    settings: {
      heartbeatSeconds: config.HEARTBEAT_SECONDS,
      defaultSkill: config.DEFAULT_SKILL,
      connectionTtlSeconds: config.CONNECTION_TTL_SECONDS,
      guestTokenSeconds: config.GUEST_TOKEN_SECONDS,
      agentTokenSeconds: config.AGENT_TOKEN_SECONDS,
      staffAccessTokenSeconds: config.STAFF_ACCESS_TOKEN_SECONDS,
      presenceGraceSeconds: config.PRESENCE_GRACE_SECONDS,
      claimMinAgeSeconds: config.CLAIM_MIN_AGE_SECONDS,
      abandonAfterSeconds: config.ABANDON_AFTER_SECONDS,
      abandonCloseAfterSeconds: config.ABANDON_CLOSE_AFTER_SECONDS,
      agentLeaveGraceSeconds: config.AGENT_LEAVE_GRACE_SECONDS,
      maxTokenSeconds,
      maxConnections: { customer: config.MAX_CONNECTIONS_PER_CUSTOMER, staff: config.MAX_CONNECTIONS_PER_STAFF },
      oidcIdPrefixes: oidcIssuers.map((issuer) => issuer.idPrefix),
      queueTicketOfferSeconds: config.QUEUE_TICKET_OFFER_SECONDS,
      ...(config.RETENTION_DAYS === undefined ? {} : { retentionDays: config.RETENTION_DAYS }),
    },
    log: {
      info: (message, extra) => logger.info(message, { ...extra }),
      warn: (message, extra) => logger.warn(message, { ...extra }),
      error: (message, extra) => logger.error(message, { ...extra }),
    },
    metrics: serviceMetrics,
  };
  const keyRotation = (secretId: string): KeyRotationDeps => ({
    store: new SecretsManagerKeyRotationStore(clients.secretsManager, secretId, config.VERIFICATION_KEYS_SECRET_ID),
    crypto: es256Keys,
    clock,
    policy,
    log: ports.log,
  });
  const deadLetters = config.ROUTING_DEAD_LETTER_QUEUE_URL
    ? new SqsDeadLetterQueue(clients.sqs, config.ROUTING_DEAD_LETTER_QUEUE_URL)
    : undefined;
  const webhooks: WebhookDeps = {
    store: new DynamoWebhookStore(documents, config.TABLE_NAME),
    ...(config.WEBHOOK_DELIVERY_QUEUE_URL ? { queue: new SqsWebhookDeliveryQueue(clients.sqs, config.WEBHOOK_DELIVERY_QUEUE_URL) } : {}),
    transport: nodeWebhookTransport({ timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowLoopback: config.WEBHOOK_ALLOW_LOCAL_HTTP }),
    clock,
    ids,
    urlPolicy: { allowLocalHttp: config.WEBHOOK_ALLOW_LOCAL_HTTP, allowLoopback: config.WEBHOOK_ALLOW_LOCAL_HTTP },
    retry: { maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, baseDelaySeconds: config.WEBHOOK_RETRY_BASE_SECONDS },
    logDays: config.WEBHOOK_LOG_DAYS,
    endpointCacheMs: config.WEBHOOK_ENDPOINT_CACHE_SECONDS * 1000,
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
    log: ports.log,
  };
  return {
    config,
    clients,
    ports,
    keyRotation,
    webhooks,
    extraEventSinks: options.eventSinks ?? [],
    ...(deadLetters ? { deadLetters } : {}),
  };
}

const scoped = new AsyncLocalStorage<Wiring>();
let fromEnvironment: Wiring | undefined;

/** Runs `work` (a handler invocation and everything it awaits) with this wiring's ports. */
export function withWiring<T>(wiring: Wiring, work: () => T): T {
  return scoped.run(wiring, work);
}

/** The wiring of the invocation in progress: its stack's, else the one built from the function's environment. */
export function getWiring(): Wiring {
  const wiring = scoped.getStore();
  if (wiring) return wiring;
  fromEnvironment ??= createWiring(loadConfig(process.env));
  return fromEnvironment;
}

/** The ports of the invocation in progress. */
export function getPorts(): Ports {
  return getWiring().ports;
}
