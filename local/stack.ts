import './quiet-metrics';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAgentDirectory } from '../functions/adapters/dynamodb/agent-directory';
import { EMPTY_KEY_SET, parseSigningKeySet } from '../functions/adapters/jwt/key-sets';
import { DynamoHoursStore } from '../functions/adapters/dynamodb/hours-store';
import { DynamoSkillStore } from '../functions/adapters/dynamodb/skill-store';
import { DynamoCredentialStore } from '../functions/adapters/dynamodb/credential-store';
import { loadConfig } from '../functions/config';
import type { Clock } from '../functions/ports/clock';
import type { SigningKeyEntry } from '../functions/ports/signing-keys';
import { ROTATION_STEPS } from '../functions/services/signing-key-rotation';
import { createWiring, withWiring, type Wiring } from '../functions/wiring';
import {
  AUTHORIZER_ENTRY,
  HTTP_ROUTES,
  WEBHOOK_DELIVERY_FUNCTION,
  MAIL_FUNCTIONS,
  EVENTS_CONSUMER,
  ROUTER_ENTRY,
  SCHEDULED_FUNCTIONS,
  SIGNING_KEY_ROTATION,
  WEBSOCKET_ROUTES,
  needsOfFunction,
  tableAccessOf,
} from '../functions/routes';
import { currentEntry, runAsEntry } from './iam/entry-scope';
import { InFlightInvocations } from './in-flight-invocations';
import { enforceQueueGrants } from './iam/queue-grant-checker';
import { enforceTableGrants } from './iam/table-grant-checker';
import { startScheduledTimer, type ScheduledTimer } from './scheduled-timer';
import { ensureTable, localDynamoClient } from './dynamodb/dynalite-server';
import { startDynamoTarget } from './dynamodb/dynamodb-target';
import { startConnectionKiller } from './faults/connection-killer';
import { handleFaultControl } from './faults/control-endpoint';
import { startDynamoThrottleProxy } from './faults/dynamo-throttle-proxy';
import { FaultInjector } from './faults/fault-injector';
import type { FaultSettings } from './faults/fault-settings';
import { startHttpApi, type HttpApi } from './gateway/http-api';
import { createLambdaContext } from './gateway/lambda-context';
import type { LambdaHandler } from './gateway/lambda-handler';
import { startWebSocketGateway, type WebSocketGateway } from './gateway/websocket-gateway';
import { startLocalS3 } from './s3/s3-server';
import { startSecretsServer } from './secrets/secrets-server';
import { mailPages, MAIL_PATHS, type InboundDelivery } from './ses/mail-pages';
import { startSesServer } from './ses/ses-server';
import type { SentMailRecord } from './ses/sent-mail';
import { WEB_PATHS, startWebPages, type WebPages } from './web/web-server';
import { seedDemoAgents, seedDemoAutoReplies, seedDemoCannedResponses, seedDemoHours, seedDemoSkills, seedSkills } from './seed';
import { DynamoAutoReplyStore } from '../functions/adapters/dynamodb/auto-reply-store';
import { DynamoCannedResponseStore } from '../functions/adapters/dynamodb/canned-response-store';
import { InProcessEndpoints } from './in-process/endpoints';
import { interceptFetch } from './in-process/fetch-interceptor';
import { InProcessRequestHandler } from './in-process/sdk-request-handler';
import { UnverifiedSigner } from './in-process/unverified-signer';
import { startEventSourcePoller } from './sqs/event-source-poller';
import { StoreClient } from './sqs/store-client';
import { persistQueues, type QueuePersistence } from './sqs/queue-persistence';
import { startSqsServer } from './sqs/sqs-server';
import { startUpstashServer } from './upstash/upstash-server';
import { deadLetterQueueAttributes, ROUTING_QUEUE_SETTINGS, routingQueueAttributes } from '../lib/routing-queue-settings';
import { WEBHOOK_QUEUE_SETTINGS, webhookDeadLetterQueueAttributes, webhookQueueAttributes } from '../lib/webhook-queue-settings';
import { EVENTS_QUEUE_SETTINGS, eventsDeadLetterQueueAttributes, eventsQueueAttributes } from '../lib/events-queue-settings';
import type { DomainEventSink } from '../functions/ports/domain-events';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_TABLE = 'parley';
export const LOCAL_STAGE = 'local';
export const SIGNING_KEYS_SECRET_NAME = 'parley/signing-keys';
export const VERIFICATION_KEYS_SECRET_NAME = 'parley/verification-keys';
/** Both key sets, kept under --data so tokens survive a restart (the private set: mode 0600). */
const TOKEN_KEYS_FILE = 'token-keys.json';
const UPSTASH_SECRET_NAME = 'parley/upstash';
const IDENTIFIED_CUSTOMER_SECRET_NAME = 'parley/identified-customer-key';
/** The local mail setup (docs/mail.md): a verified identity, the reply domain, the configuration set. */
export const LOCAL_MAIL = {
  from: 'support@parley.example',
  replyDomain: 'reply.parley.example',
  configurationSet: 'parley-local',
  inboundBucket: 'parley-inbound-mail',
} as const;

/** The local attachments bucket (docs/attachments.md), on the same s3rver endpoint. */
export const LOCAL_ATTACHMENTS_BUCKET = 'parley-attachments';

export interface LocalStackOptions {
  /** HTTP API (and later web pages); 0 picks a free port. */
  readonly httpPort: number;
  /** WebSocket API and its management endpoint; 0 picks a free port. */
  readonly wsPort: number;
  /** The SQS endpoint (npm run redrive finds it here); default 0, a free port. */
  readonly sqsPort?: number;
  readonly host?: string;
  /**
   * Keep DynamoDB data, the token keys and the SQS queues' messages here across restarts (in
   * memory when absent). Not kept: the embedded Redis (presence, capacity claims, rate-limit
   * windows), which a restart empties as an Upstash flush would.
   */
  readonly dataDir?: string;
  /**
   * An external DynamoDB endpoint (e.g. DynamoDB Local, `npm run dynamodb-local`) instead of
   * the embedded dynalite; default the DYNAMODB_ENDPOINT environment variable. The stack gets
   * a table of its own there (docs/conformance.md).
   */
  readonly dynamodbEndpoint?: string;
  /** Seed the demo agents and canned responses. */
  readonly demo?: boolean;
  /**
   * Seed the demo business hours too (local/seed.ts DEMO_HOURS; `npm start` does). Off by
   * default so tests that start billing conversations do not depend on the time of day.
   */
  readonly demoHours?: boolean;
  /**
   * Seed the demo auto-replies too (npm start does): billing's welcome and refund rule, tech's
   * password-reset pattern. Off by default, so tests on the demo stack see no bot messages.
   */
  readonly demoAutoReplies?: boolean;
  /**
   * More skills to configure at start (display name = id), for tests that route other skills
   * than the demo's `billing` and `tech` (which `demo` configures).
   */
  readonly skills?: readonly string[];
  /** Use a real Redis behind the Upstash endpoint instead of the embedded engine. */
  readonly redisUrl?: string;
  readonly idleTimeoutMs?: number;
  readonly maxDurationMs?: number;
  /** Powertools log level for the handlers (default WARN: the console stays readable). */
  readonly logLevel?: string;
  /** Extra environment for the handlers (e.g. HEARTBEAT_SECONDS in tests). */
  readonly env?: Readonly<Record<string, string>>;
  /** Start the router's poller (default true); off, triggers wait in the queue (tests of what a restart keeps). */
  readonly router?: boolean;
  /** Start the webhook delivery worker's poller (default true). */
  readonly webhookWorker?: boolean;
  /** Router poller settings (Lambda event source mapping). */
  readonly routerBatchSize?: number;
  readonly routerConcurrency?: number;
  /**
   * How often the scheduled functions (reconciliation and presence sweep) run; the default
   * is each one's rate as on AWS. Tests with a short PRESENCE_GRACE_SECONDS shorten it too.
   */
  readonly scheduleIntervalMs?: number;
  /** Wraps every handler (benchmarks use it to attribute requests to functions). */
  readonly instrument?: (functionName: string, handler: LambdaHandler) => LambdaHandler;
  /**
   * Fault injection (local/faults): given, even as `{}`, the stack puts a throttling proxy in
   * front of DynamoDB, hooks the gateway and the SQS poller, and serves `/_local/faults` on
   * the HTTP port so the settings can change while it runs.
   */
  readonly faults?: Partial<FaultSettings>;
  /** Seed for the fault dice, to replay a run. */
  readonly faultSeed?: number;
  /** Build and serve the widget, console and demo page on the HTTP port (default true). */
  readonly web?: boolean;
  /** The clock the handlers' tokens, sessions and key rotation read (tests move it; the system clock otherwise). */
  readonly clock?: Clock;
  /** Sinks the events consumer runs after the registered ones (tests record the events that reached it). */
  readonly eventSinks?: readonly DomainEventSink[];
  /** Start the events consumer's poller (default true); off, events wait in the queue. */
  readonly eventsConsumer?: boolean;
}

export interface LocalStack {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly callbackUrl: string;
  readonly endpoints: { dynamodb: string; sqs: string; secretsManager: string; upstash: string };
  /** This stack's DynamoDB table (LOCAL_TABLE on dynalite; its own table on an external endpoint). */
  readonly tableName: string;
  readonly routingQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The `webhook-deliveries` queue and its DLQ (docs/webhooks.md). */
  readonly webhookQueues: { readonly queueUrl: string; readonly deadLetterQueueUrl: string };
  /** The events queue (docs/events.md) and its DLQ. */
  readonly eventsQueueUrl: string;
  readonly eventsDeadLetterQueueUrl: string;
  readonly gateway: WebSocketGateway;
  /** How an embedding site signs identified-customer tokens for this stack (docs/security.md). */
  readonly identifiedCustomer: { readonly secretName: string; readonly key: string; readonly issuer: string; readonly audience: string };
  /** Present when started with `faults`: change settings and read what fired. */
  readonly faults?: FaultInjector;
  /** Local mail: the SES v2 and S3 endpoints, and the `/_local/mail` pages on the HTTP port. */
  readonly mail: {
    readonly pageUrl: string;
    readonly messagesUrl: string;
    readonly inboundUrl: string;
    readonly sesEndpoint: string;
    readonly s3Endpoint: string;
    /** Every mail the local SES endpoint accepted, newest first. */
    sent(): SentMailRecord[];
    /** SendEmail requests the endpoint answered (accepted or refused). */
    sendRequestCount(): number;
    /** Stores a raw inbound mail as SES receiving would and runs the inbound handler on it. */
    deliverInbound(raw: Buffer | string): Promise<InboundDelivery>;
  };
  /** The web pages served on the HTTP port (absent when started with `web: false`). */
  readonly web?: { readonly widgetUrl: string; readonly consoleUrl: string; readonly demoUrl: string };
  /** This stack's configuration, SDK clients and ports (what its handlers run with). */
  wiring(): Wiring;
  /** A WebSocket route's handler as the gateway invokes it (with this stack's wiring), for in-process tests. */
  websocketHandler(routeKey: string): LambdaHandler;
  /** Runs a scheduled function (e.g. `reconcile`) now, as its timer would. */
  runScheduled(name: string): Promise<void>;
  /**
   * Rotates the token signing keys as Secrets Manager would: starts a rotation (a new
   * AWSPENDING version) and runs the rotation function through its four steps.
   */
  rotateSigningKeys(): Promise<{ readonly versionId: string }>;
  /** The current private signing-key set, for tests that must sign tokens as Parley does (never for clients). */
  signingKeys(): SigningKeyEntry[];
  /** Redis commands executed through the Upstash endpoint so far. */
  redisCommandCount(): number;
  resetRedisCommandCount(): void;
  /**
   * Makes the routing queue's in-flight messages receivable now, as their 180 s visibility
   * timeout would: tests call it after an injected outage instead of waiting. Returns how many.
   */
  expireRoutingVisibility(): number;
  /** The same for the events queue: an event a sink failed on is receivable again now. */
  expireEventsVisibility(): number;
  /**
   * Faults on the Redis behind the Upstash endpoint: lose every key; an outage while unreachable
   * (every request's socket cut, reported once per change).
   */
  readonly redis: { flushAll(): Promise<void>; setReachable(reachable: boolean): void };
  stop(): Promise<void>;
}

async function loadHandler(entry: string): Promise<LambdaHandler> {
  const module = (await import(pathToFileURL(join(REPO_ROOT, entry)).href)) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler`);
  return module.handler;
}

/** The two token key sets kept under --data, or empty sets (the stack then rotates once to create a key). */
async function savedTokenKeys(dataDir: string | undefined): Promise<{ signing: string; verification: string }> {
  const empty = { signing: EMPTY_KEY_SET, verification: EMPTY_KEY_SET };
  if (!dataDir) return empty;
  try {
    const saved = JSON.parse(await readFile(join(dataDir, TOKEN_KEYS_FILE), 'utf8')) as { signing?: unknown; verification?: unknown };
    return typeof saved.signing === 'string' && typeof saved.verification === 'string'
      ? { signing: saved.signing, verification: saved.verification }
      : empty;
  } catch {
    return empty;
  }
}

/** An HS256 key: random per run, or kept in the data folder so tokens survive a restart. */
async function signingKey(dataDir: string | undefined, fileName: string): Promise<string> {
  const fresh = () => randomBytes(48).toString('base64url');
  if (!dataDir) return fresh();
  const path = join(dataDir, fileName);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const key = fresh();
    await mkdir(dataDir, { recursive: true });
    await writeFile(path, key, { mode: 0o600 });
    return key;
  }
}

/** The longest one part of the stack may take to stop (each takes well under a second). */
const STOP_PART_MS = 20_000;

async function stopWithin(name: string, stop: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const outcome = await Promise.race([
    stop().then(
      () => 'stopped' as const,
      () => 'failed' as const,
    ),
    late,
  ]);
  clearTimeout(timer);
  if (outcome === 'late') console.error(`local stack: ${name} did not stop within ${ms / 1000} s; left behind`);
}

/**
 * Parley on one machine: the same handler modules as on AWS, with the SDK and Upstash pointed
 * at local emulators through endpoint settings only.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  // The machine runs Node 20 while Lambda runs 22: the SDK's upgrade notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const stops: Array<{ readonly name: string; readonly stop: () => Promise<void> }> = [];
  const stopAll = async () => {
    // In reverse order of starting. A part that does not stop in time is named and left
    // behind, so one stuck part cannot hang a shutdown (or a test's teardown) for good.
    for (const { name, stop } of stops.reverse()) await stopWithin(name, stop, STOP_PART_MS);
  };
  // The stack's own clients reach its emulators in memory (same servers, no sockets); the
  // servers keep listening for scripts, browsers and other processes.
  const inProcess = new InProcessEndpoints();
  const requestHandler = new InProcessRequestHandler(inProcess);
  // The handlers' clients read their credentials from the environment set below.
  const unverifiedSigner = new UnverifiedSigner(() => process.env.AWS_ACCESS_KEY_ID ?? 'local');
  stops.push({ name: 'in-process transport', stop: async () => requestHandler.close() });
  try {
    const dynamo = await startDynamoTarget({
      externalEndpoint: options.dynamodbEndpoint ?? process.env.DYNAMODB_ENDPOINT,
      dataDir: options.dataDir,
      baseTableName: LOCAL_TABLE,
    });
    stops.push({
      name: dynamo.kind === 'dynalite' ? 'dynalite' : `table ${dynamo.tableName} at ${dynamo.endpoint}`,
      stop: () => dynamo.close(),
    });
    const tableName = dynamo.tableName;
    if (dynamo.server) inProcess.register(dynamo.endpoint, dynamo.server);
    const sqs = await startSqsServer({ port: options.sqsPort ?? 0, region: LOCAL_REGION });
    inProcess.register(sqs.endpoint, sqs.server);
    let queueFile: QueuePersistence | undefined;
    stops.push({
      name: 'SQS endpoint',
      stop: async () => {
        await sqs.close();
        queueFile?.flush();
      },
    });
    const upstashToken = randomBytes(24).toString('base64url');
    const identifiedCustomerKey = await signingKey(options.dataDir, 'identified-customer-key');
    const upstash = await startUpstashServer({ port: 0, token: upstashToken, ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}) });
    stops.push({ name: 'Upstash endpoint', stop: () => upstash.close() });
    inProcess.register(upstash.url, upstash.server);
    // @upstash/redis sends with the global fetch: it reaches the endpoint in memory too.
    const restoreFetch = interceptFetch(inProcess);
    stops.push({ name: 'in-process fetch', stop: async () => restoreFetch() });
    const tokenKeys = await savedTokenKeys(options.dataDir);
    const secrets = await startSecretsServer({
      port: 0,
      region: LOCAL_REGION,
      secrets: {
        [SIGNING_KEYS_SECRET_NAME]: tokenKeys.signing,
        [VERIFICATION_KEYS_SECRET_NAME]: tokenKeys.verification,
        [UPSTASH_SECRET_NAME]: JSON.stringify({ url: upstash.url, token: upstashToken }),
        [IDENTIFIED_CUSTOMER_SECRET_NAME]: identifiedCustomerKey,
      },
      fail: () => faults?.failSecretsRequest() ?? false,
    });
    stops.push({ name: 'Secrets Manager endpoint', stop: () => secrets.close() });
    inProcess.register(secrets.endpoint, secrets.server);
    const s3 = await startLocalS3({
      host: '127.0.0.1',
      buckets: [LOCAL_MAIL.inboundBucket],
      browserUploadBuckets: [LOCAL_ATTACHMENTS_BUCKET],
      accessKeyIds: ['local', ...(process.env.AWS_ACCESS_KEY_ID ? [process.env.AWS_ACCESS_KEY_ID] : [])],
    });
    stops.push({ name: 'S3 endpoint', stop: () => s3.close() });

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const dynamoClient = localDynamoClient(dynamo.endpoint);
    await ensureTable(dynamoClient, tableName);
    const skillStore = new DynamoSkillStore(DynamoDBDocumentClient.from(dynamoClient), tableName);
    if (options.skills) await seedSkills(skillStore, options.skills, new Date().toISOString());
    if (options.demo ?? true) {
      const documents = DynamoDBDocumentClient.from(dynamoClient);
      await seedDemoSkills(skillStore, new Date().toISOString());
      await seedDemoAgents(new DynamoAgentDirectory(documents, tableName), new DynamoCredentialStore(documents, tableName));
      await seedDemoCannedResponses(new DynamoCannedResponseStore(documents, tableName), new Date().toISOString());
      if (options.demoHours) await seedDemoHours(new DynamoHoursStore(documents, tableName), new Date().toISOString());
      if (options.demoAutoReplies) await seedDemoAutoReplies(new DynamoAutoReplyStore(documents, tableName), new Date().toISOString());
    }
    const sqsClient = new SQSClient({
      endpoint: sqs.endpoint,
      region: LOCAL_REGION,
      credentials,
      requestHandler,
      signer: unverifiedSigner,
    });
    // The event-source pollers (AWS's machinery, not Parley's) take from the queues directly.
    const pollingClient = new StoreClient(sqs.store);
    const queues = await createRoutingQueues(sqsClient);
    const webhookQueues = await createWebhookQueues(sqsClient);
    const eventQueues = await createEventsQueues(sqsClient);
    // Under --data the queues' messages (in flight and delayed ones too) survive a restart.
    if (options.dataDir) queueFile = persistQueues(sqs.store, join(options.dataDir, 'sqs-messages.json'));
    const faults = options.faults ? new FaultInjector(options.faults, options.faultSeed) : undefined;
    // With faults on, the handlers reach DynamoDB through the throttling proxy; setup above did not.
    let handlerDynamoEndpoint = dynamo.endpoint;
    if (faults) {
      const proxy = await startDynamoThrottleProxy(dynamo.endpoint, faults);
      stops.push({ name: 'DynamoDB fault proxy', stop: () => proxy.close() });
      handlerDynamoEndpoint = proxy.endpoint;
    }

    // Process-wide: the SDK's credential chain and Powertools' logger, read when first used.
    // The same for every stack in the process, so they may live in the environment.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? credentials.secretAccessKey,
      POWERTOOLS_SERVICE_NAME: 'parley',
      POWERTOOLS_METRICS_NAMESPACE: 'Parley',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      AWS_LAMBDA_LOG_LEVEL: options.logLevel ?? 'WARN',
    });
    // This stack's own configuration, handed to its wiring: never the process environment,
    // so two stacks in one process each reach their own emulators.
    const handlerEnv: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: handlerDynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      TABLE_NAME: tableName,
      ROUTING_QUEUE_URL: queues.routingQueueUrl,
      ROUTING_DEAD_LETTER_QUEUE_URL: queues.deadLetterQueueUrl,
      WEBHOOK_DELIVERY_QUEUE_URL: webhookQueues.queueUrl,
      // Receivers in tests and on a developer's machine listen on http://127.0.0.1.
      WEBHOOK_ALLOW_LOCAL_HTTP: 'true',
      EVENTS_QUEUE_URL: eventQueues.queueUrl,
      SIGNING_KEYS_SECRET_ID: SIGNING_KEYS_SECRET_NAME,
      VERIFICATION_KEYS_SECRET_ID: VERIFICATION_KEYS_SECRET_NAME,
      UPSTASH_SECRET_ID: UPSTASH_SECRET_NAME,
      IDENTIFIED_CUSTOMER_SECRET_ID: IDENTIFIED_CUSTOMER_SECRET_NAME,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      MAIL_FROM: LOCAL_MAIL.from,
      MAIL_REPLY_DOMAIN: LOCAL_MAIL.replyDomain,
      MAIL_CONFIGURATION_SET: LOCAL_MAIL.configurationSet,
      ATTACHMENTS_BUCKET: LOCAL_ATTACHMENTS_BUCKET,
      ...options.env,
    };
    // Built on first use, once the gateway below has given the callback URL.
    let wiring: Wiring | undefined;
    const stackWiring = (): Wiring => {
      if (!wiring) {
        wiring = createWiring(loadConfig(handlerEnv), {
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.eventSinks ? { eventSinks: options.eventSinks } : {}),
          requestHandler,
          // dynalite and the local endpoints check a signature's form, never its HMAC; an
          // external DynamoDB (Local) keeps the SDK's signer.
          ...(dynamo.kind === 'dynalite' ? { signer: unverifiedSigner } : {}),
        });
        // As each function's IAM role would on AWS: a request outside its grants is refused.
        enforceTableGrants(wiring.clients.dynamodb, {
          currentEntry,
          accessOf: tableAccessOf,
          onDenied: (error) => console.error(`local stack: ${error.message}`),
        });
        enforceQueueGrants(wiring.clients.sqs, {
          currentEntry,
          needsOf: needsOfFunction,
          sendNeedByQueueUrl: new Map([
            [queues.routingQueueUrl, 'routingQueue'],
            [queues.deadLetterQueueUrl, 'parksUnroutable'],
            [webhookQueues.queueUrl, 'webhookDeliveries'],
            [eventQueues.queueUrl, 'events'],
          ]),
          onDenied: (error) => console.error(`local stack: ${error.message}`),
        });
      }
      return wiring;
    };

    // Stopped after everything that invokes handlers and before the endpoints they use.
    const inFlight = new InFlightInvocations();
    stops.push({ name: 'in-flight handlers', stop: () => inFlight.drain() });
    const load = async (name: string, entry: string) => {
      const module = await loadHandler(entry);
      const handler: LambdaHandler = (event, context) => runAsEntry(name, () => withWiring(stackWiring(), () => module(event, context)));
      return inFlight.track(options.instrument ? options.instrument(name, handler) : handler);
    };
    const authorizer = await load('authorizer', AUTHORIZER_ENTRY);

    // Mail: SES v2 (its mailbox simulator's events go to the events handler as SNS would
    // deliver them) and SES receiving's S3 bucket, whose object events go to the inbound handler.
    const mailEvents = await load(MAIL_FUNCTIONS.events.name, MAIL_FUNCTIONS.events.entry);
    const mailInbound = await load(MAIL_FUNCTIONS.inbound.name, MAIL_FUNCTIONS.inbound.entry);
    const mailFromDomain = handlerEnv.MAIL_FROM?.split('@')[1];
    const ses = await startSesServer({
      port: 0,
      verifiedIdentities: mailFromDomain ? [mailFromDomain] : [],
      configurationSets: handlerEnv.MAIL_CONFIGURATION_SET ? [handlerEnv.MAIL_CONFIGURATION_SET] : [],
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      onEvent: async (event) => {
        await mailEvents(snsEvent(event), createLambdaContext(MAIL_FUNCTIONS.events.name));
      },
      onEventError: (error) => console.error(`local stack: the mail events handler failed: ${String(error)}`),
    });
    stops.push({ name: 'SES endpoint', stop: () => ses.close() });
    handlerEnv.AWS_ENDPOINT_URL_SESV2 = ses.endpoint;
    const s3Client = new S3Client({ endpoint: s3.endpoint, region: LOCAL_REGION, credentials, forcePathStyle: true });
    stops.push({ name: 'S3 client', stop: async () => s3Client.destroy() });
    const deliverInbound = async (raw: Buffer | string): Promise<InboundDelivery> => {
      const key = `inbound/${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
      const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      await s3Client.send(new PutObjectCommand({ Bucket: LOCAL_MAIL.inboundBucket, Key: key, Body: body }));
      try {
        const result = (await mailInbound(
          s3Event(LOCAL_MAIL.inboundBucket, key, body.length),
          createLambdaContext(MAIL_FUNCTIONS.inbound.name),
        )) as { results?: { outcome: string }[] } | undefined;
        return { key, outcome: result?.results?.[0]?.outcome ?? 'unknown' };
      } catch (error) {
        console.error(`local stack: the inbound mail handler failed (Lambda would retry): ${String(error)}`);
        return { key, outcome: 'failed' };
      }
    };
    const localMail = mailPages({ store: ses.store, deliverInbound });
    const wsRoutes = await Promise.all(
      WEBSOCKET_ROUTES.map(async (route) => ({
        routeKey: route.routeKey,
        replies: route.replies,
        handler: await load(route.name, route.entry),
      })),
    );
    const gateway = await startWebSocketGateway({
      port: options.wsPort,
      host,
      stage: LOCAL_STAGE,
      routes: wsRoutes,
      authorizer,
      portEnvName: 'WS_PORT',
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.maxDurationMs ? { maxDurationMs: options.maxDurationMs } : {}),
      ...(faults ? { faults: { beforePost: () => faults.beforePost(), dropDisconnect: () => faults.dropDisconnect() } } : {}),
    });
    stops.push({ name: 'WebSocket gateway', stop: () => gateway.close() });
    inProcess.register(gateway.callbackUrl, gateway.server);
    if (faults) {
      const killer = startConnectionKiller(gateway, faults);
      stops.push({ name: 'connection killer', stop: async () => killer.stop() });
    }
    // Handlers read their configuration on first use, which is after this line.
    handlerEnv.WS_CALLBACK_URL = gateway.callbackUrl;

    // The same rotation function as on AWS, driven as Secrets Manager drives it.
    const rotator = await load(SIGNING_KEY_ROTATION.name, SIGNING_KEY_ROTATION.entry);
    const currentSigningKeys = () => parseSigningKeySet(secrets.store.getVersion(SIGNING_KEYS_SECRET_NAME).version.secretString ?? '');
    const rotateSigningKeys = async () => {
      const { versionId } = secrets.store.startRotation(SIGNING_KEYS_SECRET_NAME);
      const secretId = secrets.arnOf(SIGNING_KEYS_SECRET_NAME);
      for (const step of ROTATION_STEPS) {
        await rotator({ SecretId: secretId, ClientRequestToken: versionId, Step: step }, createLambdaContext(SIGNING_KEY_ROTATION.name));
      }
      if (options.dataDir) {
        const saved = {
          signing: secrets.store.getVersion(SIGNING_KEYS_SECRET_NAME).version.secretString,
          verification: secrets.store.getVersion(VERIFICATION_KEYS_SECRET_NAME).version.secretString,
        };
        await writeFile(join(options.dataDir, TOKEN_KEYS_FILE), JSON.stringify(saved), { mode: 0o600 });
      }
      return { versionId };
    };
    // Like the first deployment on AWS: an empty set is rotated once, and its first key signs at once.
    if (currentSigningKeys().length === 0) await rotateSigningKeys();

    // One handler per function, as on AWS: the routes of a group (routes.ts HTTP_GROUPS) share theirs.
    const httpFunctions = new Map<string, Promise<LambdaHandler>>();
    const httpFunction = (name: string, entry: string) => {
      if (!httpFunctions.has(name)) httpFunctions.set(name, load(name, entry));
      return httpFunctions.get(name)!;
    };
    const httpRoutes = await Promise.all(
      HTTP_ROUTES.map(async (route) => ({
        method: route.method,
        path: route.path,
        name: route.name,
        handler: await httpFunction(route.name, route.entry),
      })),
    );
    let web: WebPages | undefined;
    const httpApi: HttpApi = await startHttpApi({
      port: options.httpPort,
      host,
      routes: httpRoutes,
      portEnvName: 'PORT',
      // Requests no API route matches: the fault controls, then the web pages.
      fallback: async (req, res) =>
        (faults !== undefined && (await handleFaultControl(req, res, faults))) ||
        (await localMail(req, res)) ||
        (web?.handle(req, res) ?? false),
    });
    stops.push({ name: 'HTTP API', stop: () => httpApi.close() });
    if (options.web ?? true) {
      web = await startWebPages({ httpUrl: httpApi.url, wsUrl: gateway.url });
      const pages = web;
      stops.push({ name: 'web pages', stop: () => pages.dispose() });
    }

    const routerHandler = await load('router', ROUTER_ENTRY);
    const router =
      (options.router ?? true)
        ? startEventSourcePoller({
            client: pollingClient,
            queueUrl: queues.routingQueueUrl,
            queueArn: queues.routingQueueArn,
            handler: routerHandler,
            batchSize: options.routerBatchSize ?? ROUTING_QUEUE_SETTINGS.batchSize,
            maxBatchingWindowMs: ROUTING_QUEUE_SETTINGS.maxBatchingWindowSeconds * 1000,
            // As the deployed event source: up to its maximum concurrency of invocations at once.
            concurrency: options.routerConcurrency ?? ROUTING_QUEUE_SETTINGS.maxConcurrency,
            reportBatchItemFailures: true,
            ...(faults ? { redeliver: () => faults.duplicateSqsBatch() } : {}),
          })
        : undefined;
    // The poller stops before the gateway and the stores it uses.
    if (router) stops.push({ name: 'routing queue poller', stop: () => router.stop() });

    // The webhook delivery worker, as its event source mapping runs it on AWS.
    const webhookHandler = await load(WEBHOOK_DELIVERY_FUNCTION.name, WEBHOOK_DELIVERY_FUNCTION.entry);
    if (options.webhookWorker ?? true) {
      const webhookPoller = startEventSourcePoller({
        client: pollingClient,
        queueUrl: webhookQueues.queueUrl,
        queueArn: webhookQueues.queueArn,
        handler: webhookHandler,
        batchSize: WEBHOOK_QUEUE_SETTINGS.batchSize,
        maxBatchingWindowMs: WEBHOOK_QUEUE_SETTINGS.maxBatchingWindowSeconds * 1000,
        concurrency: 2,
        reportBatchItemFailures: true,
      });
      stops.push({ name: 'webhook delivery poller', stop: () => webhookPoller.stop() });
    }
    // The events consumer on the events queue, as its event source mapping drives it on AWS.
    const eventsHandler = await load(EVENTS_CONSUMER.name, EVENTS_CONSUMER.entry);
    const eventsPoller =
      (options.eventsConsumer ?? true)
        ? startEventSourcePoller({
            client: pollingClient,
            queueUrl: eventQueues.queueUrl,
            queueArn: eventQueues.queueArn,
            handler: eventsHandler,
            batchSize: EVENTS_QUEUE_SETTINGS.batchSize,
            // Locally a short window: tests wait on what the sinks did, not on batching.
            maxBatchingWindowMs: 50,
            concurrency: 2,
            reportBatchItemFailures: true,
            ...(faults ? { redeliver: () => faults.duplicateSqsBatch() } : {}),
          })
        : undefined;
    if (eventsPoller) stops.push({ name: 'events queue poller', stop: () => eventsPoller.stop() });

    const scheduled = new Map<string, ScheduledTimer>();
    for (const fn of SCHEDULED_FUNCTIONS) {
      const timer = startScheduledTimer({
        name: fn.name,
        handler: await load(fn.name, fn.entry),
        intervalMs: options.scheduleIntervalMs ?? fn.rateMinutes * 60_000,
        onError: (message) => console.error(message),
      });
      scheduled.set(fn.name, timer);
      stops.push({ name: `scheduled function ${fn.name}`, stop: () => timer.stop() });
    }

    return {
      httpUrl: httpApi.url,
      wsUrl: gateway.url,
      callbackUrl: gateway.callbackUrl,
      endpoints: { dynamodb: dynamo.endpoint, sqs: sqs.endpoint, secretsManager: secrets.endpoint, upstash: upstash.url },
      tableName,
      routingQueueUrl: queues.routingQueueUrl,
      wiring: stackWiring,
      websocketHandler: (routeKey: string) => {
        const route = wsRoutes.find((candidate) => candidate.routeKey === routeKey);
        if (!route) throw new Error(`No WebSocket route ${routeKey}`);
        return route.handler;
      },
      runScheduled: async (name: string) => {
        const timer = scheduled.get(name);
        if (!timer) throw new Error(`No scheduled function named ${name}`);
        await timer.runNow();
      },
      rotateSigningKeys,
      signingKeys: currentSigningKeys,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      webhookQueues: { queueUrl: webhookQueues.queueUrl, deadLetterQueueUrl: webhookQueues.deadLetterQueueUrl },
      eventsQueueUrl: eventQueues.queueUrl,
      eventsDeadLetterQueueUrl: eventQueues.deadLetterQueueUrl,
      gateway,
      identifiedCustomer: {
        secretName: IDENTIFIED_CUSTOMER_SECRET_NAME,
        key: identifiedCustomerKey,
        issuer: handlerEnv.IDENTIFIED_CUSTOMER_ISSUER ?? 'parley-site',
        audience: handlerEnv.JWT_AUDIENCE ?? 'parley',
      },
      ...(faults ? { faults } : {}),
      mail: {
        pageUrl: `${httpApi.url}${MAIL_PATHS.page}`,
        messagesUrl: `${httpApi.url}${MAIL_PATHS.messages}`,
        inboundUrl: `${httpApi.url}${MAIL_PATHS.inbound}`,
        sesEndpoint: ses.endpoint,
        s3Endpoint: s3.endpoint,
        sent: () => ses.store.list(),
        sendRequestCount: () => ses.requestCount(),
        deliverInbound,
      },
      ...(web
        ? {
            web: {
              widgetUrl: `${httpApi.url}${WEB_PATHS.widget}`,
              consoleUrl: `${httpApi.url}${WEB_PATHS.console}`,
              demoUrl: `${httpApi.url}${WEB_PATHS.demo}`,
            },
          }
        : {}),
      redisCommandCount: () => upstash.commandCount(),
      resetRedisCommandCount: () => upstash.resetCommandCount(),
      expireRoutingVisibility: () => sqs.store.getQueueByUrl(queues.routingQueueUrl).expireVisibility(Date.now()),
      expireEventsVisibility: () => sqs.store.getQueueByUrl(eventQueues.queueUrl).expireVisibility(Date.now()),
      redis: { flushAll: () => upstash.flushAll(), setReachable: (reachable) => upstash.setReachable(reachable) },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** An SNS delivery of one SES event, as the configuration set's topic invokes the events Lambda. */
function snsEvent(message: object) {
  const now = new Date().toISOString();
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `arn:aws:sns:${LOCAL_REGION}:000000000000:parley-mail-events:${randomBytes(8).toString('hex')}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomBytes(16).toString('hex'),
          TopicArn: `arn:aws:sns:${LOCAL_REGION}:000000000000:parley-mail-events`,
          Subject: null,
          Message: JSON.stringify(message),
          Timestamp: now,
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The S3 ObjectCreated notification SES receiving's write produces. */
function s3Event(bucket: string, key: string, size: number) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: LOCAL_REGION,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:ses' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': randomBytes(8).toString('hex'), 'x-amz-id-2': randomBytes(16).toString('hex') },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbound-mail',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size, sequencer: Date.now().toString(16) },
        },
      },
    ],
  };
}

/** The routing queue and its DLQ, from the one definition the CDK stack builds them from too. */
async function createRoutingQueues(client: SQSClient) {
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: ROUTING_QUEUE_SETTINGS.deadLetterQueueName, Attributes: deadLetterQueueAttributes() }),
  );
  const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const routing = await client.send(
    new CreateQueueCommand({
      QueueName: ROUTING_QUEUE_SETTINGS.queueName,
      Attributes: routingQueueAttributes(dlqAttributes.Attributes!.QueueArn!),
    }),
  );
  const routingAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: routing.QueueUrl, AttributeNames: ['QueueArn'] }));
  return {
    routingQueueUrl: routing.QueueUrl!,
    routingQueueArn: routingAttributes.Attributes!.QueueArn!,
    deadLetterQueueUrl: dlq.QueueUrl!,
  };
}

/** The webhook-deliveries queue and its DLQ, from the definition the CDK construct uses too. */
async function createWebhookQueues(client: SQSClient) {
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: WEBHOOK_QUEUE_SETTINGS.deadLetterQueueName, Attributes: webhookDeadLetterQueueAttributes() }),
  );
  const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: WEBHOOK_QUEUE_SETTINGS.queueName,
      Attributes: webhookQueueAttributes(dlqAttributes.Attributes!.QueueArn!),
    }),
  );
  const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
  return { queueUrl: queue.QueueUrl!, queueArn: attributes.Attributes!.QueueArn!, deadLetterQueueUrl: dlq.QueueUrl! };
}

/** The events queue and its DLQ (docs/events.md), from the definition the CDK stack uses too. */
async function createEventsQueues(client: SQSClient) {
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: EVENTS_QUEUE_SETTINGS.deadLetterQueueName, Attributes: eventsDeadLetterQueueAttributes() }),
  );
  const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: EVENTS_QUEUE_SETTINGS.queueName,
      Attributes: eventsQueueAttributes(dlqAttributes.Attributes!.QueueArn!),
    }),
  );
  const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }));
  return { queueUrl: queue.QueueUrl!, queueArn: attributes.Attributes!.QueueArn!, deadLetterQueueUrl: dlq.QueueUrl! };
}
