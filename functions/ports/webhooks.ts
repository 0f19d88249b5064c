import type { DeliveryAttempt, WebhookEndpoint, WebhookPayload } from '../domain/webhooks';

/** Endpoints (`WEBHOOKS` / `ENDPOINT#<id>`) and their delivery log (`WEBHOOKLOG#<id>`, TTL). */
export interface WebhookStore {
  /** Every endpoint (one partition, one Query). */
  list(): Promise<WebhookEndpoint[]>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** Creates it; false when the id is taken. */
  create(endpoint: WebhookEndpoint): Promise<boolean>;
  /** Replaces it if it exists; false when it does not (deleted meanwhile). */
  replace(endpoint: WebhookEndpoint): Promise<boolean>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * Marks an event as fanned out (`WHEVENT#<eventId>`, expiring `expiresAt`): false when it already
   * was, so a redelivered event is not queued twice. `releaseEvent` undoes it when queueing failed.
   */
  claimEvent(eventId: string, expiresAt: number): Promise<boolean>;
  releaseEvent(eventId: string): Promise<void>;
  /** Appends one attempt to the endpoint's log; it expires `expiresAt` (epoch seconds). */
  recordAttempt(attempt: DeliveryAttempt, expiresAt: number): Promise<void>;
  /** The endpoint's log, newest first; `cursor` continues a previous page. */
  listAttempts(endpointId: string, limit: number, cursor?: string): Promise<{ attempts: DeliveryAttempt[]; cursor?: string }>;
}

/** One delivery as the `webhook-deliveries` queue carries it (the secret never rides along). */
export interface WebhookDelivery {
  readonly deliveryId: string;
  readonly endpointId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly payload: WebhookPayload;
}

export interface WebhookDeliveryQueue {
  /** Enqueues deliveries (batched), each after `delaySeconds` (0-900). */
  enqueue(deliveries: readonly WebhookDelivery[], delaySeconds?: number): Promise<void>;
}

export type PostOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly durationMs: number }
  | { readonly kind: 'error'; readonly error: string; readonly durationMs: number };

/** POSTs a delivery: a short timeout, no redirects followed, forbidden addresses refused as the connection is made. */
export interface WebhookTransport {
  post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<PostOutcome>;
}
