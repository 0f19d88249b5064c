import { AsyncLocalStorage } from 'node:async_hooks';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { HttpHandler } from '@smithy/core/protocols';
import type { RequestSigner } from '@smithy/types';
import { randomOpaqueTokens } from './adapters/crypto/opaque-tokens';
import { scryptHasher } from './adapters/crypto/password-hasher';
import { CLOCK_TOLERANCE_SECONDS } from './adapters/jwt/verify-jws';
import { nodeWebhookTransport } from './adapters/http/webhook-transport';
import { systemClock, ulidGenerator } from './adapters/system/clock';
import { loadConfig, parseOidcIssuers, type Config } from './config';
import type { KeyPolicy } from './domain/signing-keys';
import type { Clock } from './ports/clock';
import type { DeadLetterQueue } from './ports/dead-letter-queue';
import type { DomainEventSink } from './ports/domain-events';
import type { Ports } from './services/context';
import type { KeyRotationDeps } from './services/signing-key-rotation';
import type { WebhookDeps } from './services/webhooks';
import { serviceMetrics } from './shared/business-metrics';
import { logger, metrics, MetricUnit } from './shared/observability';
import { connectionPorts, managementApiClient } from './wiring/connections';
import { maxTokenSeconds, type PortFactories, type WiringContext } from './wiring/context';
import { PORT_GROUPS, type GroupPortName, type PortGroup } from './wiring/groups';
import { mailPorts, sesv2Client } from './wiring/mail';
import { deadLetterQueue, queuePorts, sqsClient, webhookDeliveryQueue } from './wiring/queues';
import { redisPorts } from './wiring/redis';
import { keyRotationDeps } from './wiring/rotation';
import { s3Client, s3Ports } from './wiring/s3';
import { secretsManagerClient } from './wiring/secrets';
import { dynamodbClient, tablePorts, webhookStore } from './wiring/table';
import { tokenPorts } from './wiring/tokens';

/**
 * The one place that builds adapters, from a configuration it is given. On Lambda the
 * configuration is the function's environment, read once per container; the local stack
 * passes each stack its own, so several stacks fit in one process. Each port group (one file
 * of functions/wiring/) builds its clients and adapters on first use, once per wiring; secrets
 * are fetched on first use and cached (so a handler that never touches Redis never reads the
 * Upstash secret).
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
  /**
   * The SigV4 signer for the clients whose endpoints do not verify signatures (every client but
   * S3's); absent (as on AWS), the SDK's own. The local stack's emulators take a placeholder.
   */
  readonly signer?: RequestSigner;
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

/*
 * The port groups in this bundle. On Lambda esbuild replaces each `process.env.PARLEY_BUNDLE_*`
 * with "true" or "false" from the function's Needs (lib/constructs/parley-function.ts,
 * `bundleDefines`), folds the comparison, and leaves a group that is "false" out of the bundle
 * with its SDK client. Unbundled (the local stack, tests) every group is here. Keep each test
 * a literal comparison the bundler can fold; a new adapter goes into its group's file (a new
 * group: a file, a line here, its names in wiring/groups.ts and its need in bundleDefines).
 */
const GROUPS: { readonly [G in PortGroup]: PortFactories<GroupPortName<G>> | undefined } = {
  table: process.env.PARLEY_BUNDLE_TABLE !== 'false' ? tablePorts : undefined,
  queues: process.env.PARLEY_BUNDLE_QUEUES !== 'false' ? queuePorts : undefined,
  connections: process.env.PARLEY_BUNDLE_CONNECTIONS !== 'false' ? connectionPorts : undefined,
  tokens: process.env.PARLEY_BUNDLE_TOKENS !== 'false' ? tokenPorts : undefined,
  redis: process.env.PARLEY_BUNDLE_REDIS !== 'false' ? redisPorts : undefined,
  mail: process.env.PARLEY_BUNDLE_MAIL !== 'false' ? mailPorts : undefined,
  s3: process.env.PARLEY_BUNDLE_S3 !== 'false' ? s3Ports : undefined,
};
const CLIENTS: { readonly [C in keyof AwsClients]: ((ctx: WiringContext) => AwsClients[C]) | undefined } = {
  dynamodb: process.env.PARLEY_BUNDLE_TABLE !== 'false' ? dynamodbClient : undefined,
  sqs: process.env.PARLEY_BUNDLE_QUEUES !== 'false' ? sqsClient : undefined,
  managementApi: process.env.PARLEY_BUNDLE_CONNECTIONS !== 'false' ? managementApiClient : undefined,
  secretsManager: process.env.PARLEY_BUNDLE_SECRETS !== 'false' ? secretsManagerClient : undefined,
  sesv2: process.env.PARLEY_BUNDLE_MAIL !== 'false' ? sesv2Client : undefined,
  s3: process.env.PARLEY_BUNDLE_S3 !== 'false' ? s3Client : undefined,
};
const WEBHOOK_STORE = process.env.PARLEY_BUNDLE_TABLE !== 'false' ? webhookStore : undefined;
const QUEUE_EXTRAS = process.env.PARLEY_BUNDLE_QUEUES !== 'false' ? { deadLetterQueue, webhookDeliveryQueue } : undefined;
const KEY_ROTATION = process.env.PARLEY_BUNDLE_ROTATION !== 'false' ? keyRotationDeps : undefined;

/** Raised when a function uses a part its bundle left out: its Needs in functions/routes.ts miss it. */
export class NotBundledError extends Error {
  constructor(part: string) {
    super(`Parley: ${part} is not in this function's bundle: add the need that reaches it to the function in functions/routes.ts`);
    this.name = 'NotBundledError';
  }
}

/** A stand-in for a port left out of the bundle: taking it apart is fine, calling it throws NotBundledError. */
function notBundled<T>(part: string): T {
  return new Proxy({} as object, {
    get(_target, property) {
      if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
      return () => {
        throw new NotBundledError(`${part}.${property}`);
      };
    },
  }) as T;
}

/** `object` with a getter per name that builds its value on first read (memoized per wiring). */
function defineLazy<T extends object>(
  target: T,
  ctx: WiringContext,
  prefix: string,
  builders: Readonly<Record<string, (() => unknown) | undefined>>,
): T {
  for (const [name, build] of Object.entries(builders)) {
    Object.defineProperty(target, name, {
      enumerable: true,
      configurable: true,
      get: () => ctx.memo(`${prefix}:${name}`, build ?? (() => notBundled(name))),
    });
  }
  return target;
}

export function createWiring(config: Config, options: WiringOptions = {}): Wiring {
  const clock = options.clock ?? systemClock;
  const memos = new Map<string, unknown>();
  const log: Ports['log'] = {
    info: (message, extra) => logger.info(message, { ...extra }),
    warn: (message, extra) => logger.warn(message, { ...extra }),
    error: (message, extra) => logger.error(message, { ...extra }),
  };
  const ctx: WiringContext = {
    config,
    clock,
    ids: ulidGenerator(),
    policy: keyPolicy(config),
    requestHandler: options.requestHandler,
    signer: options.signer,
    log,
    memo<T>(key: string, make: () => T): T {
      if (!memos.has(key)) memos.set(key, make());
      return memos.get(key) as T;
    },
  };
  const oidcIssuers = parseOidcIssuers(config.OIDC_ISSUERS);
  const ports = {
    opaqueTokens: randomOpaqueTokens,
    passwords: scryptHasher,
    clock,
    ids: ctx.ids,
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
      maxTokenSeconds: maxTokenSeconds(config),
      maxConnections: { customer: config.MAX_CONNECTIONS_PER_CUSTOMER, staff: config.MAX_CONNECTIONS_PER_STAFF },
      oidcIdPrefixes: oidcIssuers.map((issuer) => issuer.idPrefix),
      queueTicketOfferSeconds: config.QUEUE_TICKET_OFFER_SECONDS,
      ...(config.RETENTION_DAYS === undefined ? {} : { retentionDays: config.RETENTION_DAYS }),
    },
    log,
    metrics: serviceMetrics,
  } as Partial<Ports> as Ports;
  for (const group of Object.keys(PORT_GROUPS) as PortGroup[]) {
    const factories = GROUPS[group] as Readonly<Record<string, (ctx: WiringContext) => unknown>> | undefined;
    defineLazy(
      ports,
      ctx,
      'port',
      Object.fromEntries(PORT_GROUPS[group].map((name) => [name, factories ? () => factories[name]!(ctx) : undefined])),
    );
  }
  const clients = defineLazy(
    {} as AwsClients,
    ctx,
    'client',
    Object.fromEntries(Object.entries(CLIENTS).map(([name, make]) => [name, make ? () => make(ctx) : undefined])),
  );
  const keyRotation = (secretId: string): KeyRotationDeps => {
    if (!KEY_ROTATION) throw new NotBundledError('keyRotation');
    return KEY_ROTATION(ctx, secretId);
  };
  const deadLetters = QUEUE_EXTRAS ? QUEUE_EXTRAS.deadLetterQueue(ctx) : undefined;
  const wiring: Omit<Wiring, 'webhooks'> = {
    config,
    clients,
    ports,
    keyRotation,
    extraEventSinks: options.eventSinks ?? [],
    ...(deadLetters ? { deadLetters } : {}),
  };
  return defineLazy(wiring as Wiring, ctx, 'wiring', { webhooks: () => webhookDeps(ctx) });
}

function webhookDeps(ctx: WiringContext): WebhookDeps {
  const { config } = ctx;
  const queue = QUEUE_EXTRAS?.webhookDeliveryQueue(ctx);
  return {
    store: WEBHOOK_STORE ? WEBHOOK_STORE(ctx) : notBundled('webhooks.store'),
    ...(queue ? { queue } : {}),
    transport: nodeWebhookTransport({ timeoutMs: config.WEBHOOK_TIMEOUT_MS, allowLoopback: config.WEBHOOK_ALLOW_LOCAL_HTTP }),
    clock: ctx.clock,
    ids: ctx.ids,
    urlPolicy: { allowLocalHttp: config.WEBHOOK_ALLOW_LOCAL_HTTP, allowLoopback: config.WEBHOOK_ALLOW_LOCAL_HTTP },
    retry: { maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, baseDelaySeconds: config.WEBHOOK_RETRY_BASE_SECONDS },
    logDays: config.WEBHOOK_LOG_DAYS,
    endpointCacheMs: config.WEBHOOK_ENDPOINT_CACHE_SECONDS * 1000,
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
    log: ctx.log,
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
