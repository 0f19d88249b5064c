import { randomBytes } from 'node:crypto';
import type { DomainEvent } from '../domain/domain-events';
import { BadRequestError, ForbiddenError, NotFoundError, UnavailableError } from '../domain/errors';
import type { User } from '../domain/identity';
import {
  type CreateWebhook,
  type DeliveryAttempt,
  endpointView,
  isDelivered,
  MAX_WEBHOOK_ENDPOINTS,
  PREVIOUS_SECRET_GRACE_SECONDS,
  payloadOf,
  pingPayload,
  type RetryPolicy,
  retryDelaySeconds,
  SECRET_PREFIX,
  signatureHeader,
  signingSecrets,
  subscribes,
  type UpdateWebhook,
  type UrlPolicy,
  validateWebhookUrl,
  WEBHOOK_HEADERS,
  WEBHOOK_ID_PATTERN,
  type WebhookEndpoint,
  type WebhookEndpointView,
} from '../domain/webhooks';
import type { Clock, IdGenerator } from '../ports/clock';
import type { DomainEventSink } from '../ports/domain-events';
import type { WebhookDelivery, WebhookDeliveryQueue, WebhookStore, WebhookTransport } from '../ports/webhooks';

/** What webhooks need besides the common ports (functions/wiring.ts builds it). */
export interface WebhookDeps {
  readonly store: WebhookStore;
  /** Absent when WEBHOOK_DELIVERY_QUEUE_URL is not set: nothing is delivered and the API answers `unavailable`. */
  readonly queue?: WebhookDeliveryQueue;
  readonly transport: WebhookTransport;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly urlPolicy: UrlPolicy;
  readonly retry: RetryPolicy;
  /** How long a delivery log entry is kept (TTL). */
  readonly logDays: number;
  /** The sink's endpoint list is re-read at most this often per container. */
  readonly endpointCacheMs: number;
  readonly random?: () => number;
  readonly count?: (metric: 'WebhookDelivered' | 'WebhookAttemptFailed' | 'WebhookGivenUp' | 'WebhookEnqueued', value?: number) => void;
  readonly log?: { warn(message: string, extra?: Record<string, unknown>): void };
}

function assertAdmin(user: User): void {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins manage webhooks');
}

function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function newEndpointId(): string {
  return `wh_${randomBytes(12).toString('hex')}`;
}

function checkedId(id: string | undefined): string {
  if (!id || !WEBHOOK_ID_PATTERN.test(id)) throw new BadRequestError('Not a webhook id');
  return id;
}

async function existing(deps: WebhookDeps, id: string | undefined): Promise<WebhookEndpoint> {
  const endpoint = await deps.store.get(checkedId(id));
  if (!endpoint) throw new NotFoundError('No such webhook');
  return endpoint;
}

/** `GET /v1/webhooks` (admins). */
export async function listWebhooks(deps: WebhookDeps, user: User): Promise<WebhookEndpointView[]> {
  assertAdmin(user);
  const endpoints = await deps.store.list();
  return endpoints.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(endpointView);
}

/** `GET /v1/webhooks/{id}` (admins). */
export async function getWebhook(deps: WebhookDeps, user: User, id: string | undefined): Promise<WebhookEndpointView> {
  assertAdmin(user);
  return endpointView(await existing(deps, id));
}

/** `POST /v1/webhooks` (admins): the answer carries the secret, the only time it is shown. */
export async function createWebhook(
  deps: WebhookDeps,
  user: User,
  body: CreateWebhook,
): Promise<{ webhook: WebhookEndpointView; secret: string }> {
  assertAdmin(user);
  const url = validateWebhookUrl(body.url, deps.urlPolicy);
  if ((await deps.store.list()).length >= MAX_WEBHOOK_ENDPOINTS) {
    throw new BadRequestError(`at most ${MAX_WEBHOOK_ENDPOINTS} webhooks can be registered; delete one first`);
  }
  const now = deps.clock.now().toISOString();
  const endpoint: WebhookEndpoint = {
    id: newEndpointId(),
    url,
    ...(body.description ? { description: body.description } : {}),
    events: body.events,
    enabled: body.enabled,
    secret: newSecret(),
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.store.create(endpoint))) throw new UnavailableError('Could not create the webhook; retry', 1000);
  return { webhook: endpointView(endpoint), secret: endpoint.secret };
}

/** `PUT /v1/webhooks/{id}` (admins): URL, description, event types, enabled; `rotateSecret` answers the new secret once. */
export async function updateWebhook(
  deps: WebhookDeps,
  user: User,
  id: string | undefined,
  body: UpdateWebhook,
): Promise<{ webhook: WebhookEndpointView; secret?: string }> {
  assertAdmin(user);
  const current = await existing(deps, id);
  const now = deps.clock.now();
  const url = body.url === undefined ? current.url : validateWebhookUrl(body.url, deps.urlPolicy);
  const rotated = body.rotateSecret === true ? newSecret() : undefined;
  const { previousSecret: _p, previousSecretExpiresAt: _e, ...rest } = current;
  const keepPrevious = rotated === undefined && signingSecrets(current, now).length > 1;
  const updated: WebhookEndpoint = {
    ...rest,
    url,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.events !== undefined ? { events: body.events } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(rotated !== undefined
      ? {
          secret: rotated,
          previousSecret: current.secret,
          previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_SECONDS * 1000).toISOString(),
        }
      : keepPrevious
        ? { previousSecret: current.previousSecret!, previousSecretExpiresAt: current.previousSecretExpiresAt! }
        : {}),
    updatedAt: now.toISOString(),
  };
  if (!(await deps.store.replace(updated))) throw new NotFoundError('No such webhook');
  return { webhook: endpointView(updated), ...(rotated !== undefined ? { secret: rotated } : {}) };
}

/** `DELETE /v1/webhooks/{id}` (admins): deliveries already queued for it are dropped; its log expires by TTL. */
export async function deleteWebhook(deps: WebhookDeps, user: User, id: string | undefined): Promise<void> {
  assertAdmin(user);
  if (!(await deps.store.delete(checkedId(id)))) throw new NotFoundError('No such webhook');
}

/** How long the sink remembers an event it fanned out: longer than the events queue keeps a message (4 days). */
export const EVENT_MARKER_SECONDS = 5 * 24 * 3600;

export const DEFAULT_LOG_PAGE = 50;
export const MAX_LOG_PAGE = 100;

/** `GET /v1/webhooks/{id}/deliveries` (admins): the endpoint's delivery log, newest first. */
export async function listDeliveries(
  deps: WebhookDeps,
  user: User,
  id: string | undefined,
  limit: number,
  cursor: string | undefined,
): Promise<{ deliveries: DeliveryAttempt[]; cursor?: string }> {
  assertAdmin(user);
  const endpoint = await existing(deps, id);
  const page = await deps.store.listAttempts(endpoint.id, limit, cursor);
  return { deliveries: page.attempts, ...(page.cursor ? { cursor: page.cursor } : {}) };
}

function queueOf(deps: WebhookDeps): WebhookDeliveryQueue {
  if (!deps.queue) throw new UnavailableError('Webhook deliveries are not configured here (WEBHOOK_DELIVERY_QUEUE_URL)', 60_000);
  return deps.queue;
}

/** `POST /v1/webhooks/{id}/test` (admins): queues a signed `webhook.ping`; its attempts show in the log. */
export async function testWebhook(deps: WebhookDeps, user: User, id: string | undefined): Promise<{ deliveryId: string }> {
  assertAdmin(user);
  const endpoint = await existing(deps, id);
  const deliveryId = deps.ids.next();
  await queueOf(deps).enqueue([
    { deliveryId, endpointId: endpoint.id, attempt: 1, payload: pingPayload(`ping_${deliveryId}`, endpoint.id, deps.clock.now()) },
  ]);
  return { deliveryId };
}

/**
 * The `webhooks` sink (ports/domain-events.ts): fans an event out to the endpoints subscribed to
 * its type, one queued delivery per endpoint, and returns; no receiver is ever called here, so a
 * slow or failing endpoint cannot slow the events consumer, let alone chat. The endpoint list is
 * cached for `endpointCacheMs` (one Query per container per period, not per event). Throws only
 * when the queue refuses (the events consumer retries the event; receivers deduplicate by id).
 */
export function webhookSink(deps: WebhookDeps): DomainEventSink {
  let cached: { readonly at: number; readonly endpoints: Promise<WebhookEndpoint[]> } | undefined;
  const endpoints = () => {
    const now = deps.clock.now().getTime();
    if (!cached || now - cached.at >= deps.endpointCacheMs) {
      const fresh = deps.store.list();
      cached = { at: now, endpoints: fresh };
      fresh.catch(() => {
        if (cached?.endpoints === fresh) cached = undefined;
      });
    }
    return cached.endpoints;
  };
  return {
    name: 'webhooks',
    async handle(event: DomainEvent) {
      if (!deps.queue) return;
      const targets = (await endpoints()).filter((endpoint) => subscribes(endpoint, event.type));
      if (targets.length === 0) return;
      // At least once upstream: an event seen again (another sink failed, SQS redelivered) is skipped.
      const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + EVENT_MARKER_SECONDS;
      if (!(await deps.store.claimEvent(event.id, expiresAt))) return;
      const payload = payloadOf(event);
      try {
        await deps.queue.enqueue(
          targets.map((endpoint) => ({ deliveryId: deps.ids.next(), endpointId: endpoint.id, attempt: 1, payload })),
        );
      } catch (error) {
        // Released so the retry queues it; deliveries a partial batch did send are sent again (receivers deduplicate by id).
        await deps.store.releaseEvent(event.id).catch(() => undefined);
        throw error;
      }
      deps.count?.('WebhookEnqueued', targets.length);
    },
  };
}

const sinks = new WeakMap<WebhookDeps, DomainEventSink>();

/** The sink for these deps, built once (its endpoint cache lives as long as the container's wiring). */
export function webhookSinkFor(deps: WebhookDeps): DomainEventSink {
  let sink = sinks.get(deps);
  if (!sink) {
    sink = webhookSink(deps);
    sinks.set(deps, sink);
  }
  return sink;
}

export type DeliveryResult = 'delivered' | 'retrying' | 'failed' | 'skipped';

/**
 * One attempt of one delivery (the `webhook-deliveries` worker): re-reads the endpoint (a
 * disabled, deleted or unsubscribed one is skipped), signs the body with its secrets, POSTs it
 * with the transport's short timeout, logs the attempt, and on failure queues the next attempt
 * after the backoff (retryDelaySeconds) or, after the last, records it as given up. Throws only
 * when Parley's own side fails (the store or the queue): SQS then redelivers the message and,
 * after maxReceiveCount, parks it in the dead-letter queue.
 */
export async function deliverWebhook(deps: WebhookDeps, delivery: WebhookDelivery): Promise<DeliveryResult> {
  const endpoint = await deps.store.get(delivery.endpointId);
  if (!endpoint || !subscribes(endpoint, delivery.payload.type)) return 'skipped';
  const now = deps.clock.now();
  const timestamp = Math.floor(now.getTime() / 1000);
  const body = JSON.stringify(delivery.payload);
  const outcome = await deps.transport.post(endpoint.url, body, {
    [WEBHOOK_HEADERS.signature]: signatureHeader(signingSecrets(endpoint, now), timestamp, body),
    [WEBHOOK_HEADERS.id]: delivery.payload.id,
    [WEBHOOK_HEADERS.event]: delivery.payload.type,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.attempt]: String(delivery.attempt),
    'user-agent': 'Parley-Webhooks/1',
  });
  const status = outcome.kind === 'response' ? outcome.status : undefined;
  const delivered = isDelivered(status);
  const retryIn = delivered ? undefined : retryDelaySeconds(deps.retry, delivery.attempt + 1, deps.random);
  const result: DeliveryResult = delivered ? 'delivered' : retryIn !== undefined ? 'retrying' : 'failed';
  const attempt: DeliveryAttempt = {
    endpointId: endpoint.id,
    deliveryId: delivery.deliveryId,
    eventId: delivery.payload.id,
    eventType: delivery.payload.type,
    attempt: delivery.attempt,
    at: now.toISOString(),
    durationMs: outcome.durationMs,
    ...(status !== undefined ? { status } : {}),
    ...(outcome.kind === 'error' ? { error: outcome.error } : status !== undefined && !delivered ? { error: `HTTP ${status}` } : {}),
    outcome: result,
    ...(retryIn !== undefined ? { retryInSeconds: retryIn } : {}),
  };
  // The next attempt is queued before the log says so: a failure here redelivers this attempt.
  if (retryIn !== undefined) await queueOf(deps).enqueue([{ ...delivery, attempt: delivery.attempt + 1 }], retryIn);
  await deps.store.recordAttempt(attempt, Math.floor(now.getTime() / 1000) + deps.logDays * 86_400);
  if (result === 'delivered') deps.count?.('WebhookDelivered');
  else deps.count?.('WebhookAttemptFailed');
  if (result === 'failed') {
    deps.count?.('WebhookGivenUp');
    deps.log?.warn('Webhook delivery given up after its last attempt', {
      endpointId: endpoint.id,
      deliveryId: delivery.deliveryId,
      attempts: delivery.attempt,
    });
  }
  return result;
}
