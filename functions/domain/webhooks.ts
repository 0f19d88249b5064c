import { createHmac, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import * as z from '../shared/zod';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventType } from './domain-events';
import { DomainError } from './errors';

/**
 * Webhooks (docs/webhooks.md): admins register HTTPS endpoints for domain events; each delivery
 * is signed, retried with backoff through the `webhook-deliveries` queue and logged per endpoint.
 * Pure rules only: the signature scheme, the backoff schedule and the URL and address checks.
 */

/** At most this many endpoints per deployment (the sink reads them all on every event: one Query). */
export const MAX_WEBHOOK_ENDPOINTS = 20;
/** A URL longer than this is refused (SQS and the log carry it). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 200;
/** Receivers refuse a signature whose timestamp is further than this from their clock (replay window). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** The previous secret keeps signing beside the new one for this long after a rotation. */
export const PREVIOUS_SECRET_GRACE_SECONDS = 24 * 3600;
/** SQS's DelaySeconds ceiling: no retry waits longer than this. */
export const MAX_RETRY_DELAY_SECONDS = 900;

/** The ping `POST /v1/webhooks/{id}/test` sends: not a domain event, delivered to the endpoint whatever it subscribes to. */
export const PING_EVENT_TYPE = 'webhook.ping';
export type WebhookEventType = DomainEventType | typeof PING_EVENT_TYPE;

/** HTTP headers of a delivery. */
export const WEBHOOK_HEADERS = {
  /** `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=<hex, previous secret>]`. */
  signature: 'parley-signature',
  /** The event id: the same on every attempt, so receivers deduplicate by it. */
  id: 'parley-webhook-id',
  /** The event type, e.g. `message.created`. */
  event: 'parley-event',
  /** The signed timestamp again, as a plain number, for receivers' logs. */
  timestamp: 'parley-timestamp',
  /** 1 on the first attempt. */
  attempt: 'parley-delivery-attempt',
} as const;

/** A webhook setting refused (a bad URL): `bad_request`. */
export class WebhookError extends DomainError {
  override readonly name = 'WebhookError';
  constructor(message: string) {
    super('bad_request', message);
  }
}

/** The endpoint as stored (the secret included: it never leaves the server after creation). */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description?: string;
  readonly events: readonly DomainEventType[];
  readonly enabled: boolean;
  readonly secret: string;
  /** After a rotation, the old secret signs too until `previousSecretExpiresAt`. */
  readonly previousSecret?: string;
  readonly previousSecretExpiresAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What the API shows of an endpoint: everything but its secrets. */
export type WebhookEndpointView = Omit<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'> & {
  /** The first characters of the secret, so an admin can tell which one a receiver holds. */
  readonly secretHint: string;
};

export function endpointView(endpoint: WebhookEndpoint): WebhookEndpointView {
  const { secret, previousSecret: _previous, previousSecretExpiresAt: _expires, ...rest } = endpoint;
  return { ...rest, secretHint: `${secret.slice(0, 10)}...` };
}

const eventTypes = z.pipe(
  z.array(z.enum(DOMAIN_EVENT_TYPES)).check(z.minLength(1, 'subscribe to at least one event type'), z.maxLength(DOMAIN_EVENT_TYPES.length)),
  z.transform((types) => [...new Set(types)]),
);

export const createWebhookSchema = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(MAX_WEBHOOK_URL_LENGTH)),
  description: z.optional(z.string().check(z.trim(), z.maxLength(MAX_WEBHOOK_DESCRIPTION_LENGTH))),
  events: eventTypes,
  enabled: z._default(z.boolean(), true),
});
export type CreateWebhook = z.infer<typeof createWebhookSchema>;

export const updateWebhookSchema = z
  .strictObject({
    url: z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_WEBHOOK_URL_LENGTH))),
    description: z.optional(z.string().check(z.trim(), z.maxLength(MAX_WEBHOOK_DESCRIPTION_LENGTH))),
    events: z.optional(eventTypes),
    enabled: z.optional(z.boolean()),
    /** A new secret, shown once in the answer; the old one keeps signing for PREVIOUS_SECRET_GRACE_SECONDS. */
    rotateSecret: z.optional(z.literal(true)),
  })
  .check(z.refine((body) => Object.keys(body).length > 0, 'send at least one of url, description, events, enabled, rotateSecret'));
export type UpdateWebhook = z.infer<typeof updateWebhookSchema>;

export const WEBHOOK_ID_PATTERN = /^wh_[A-Za-z0-9]{10,40}$/;

// --- Addresses (SSRF) --------------------------------------------------------------------

/**
 * Addresses a delivery never connects to: loopback, private (RFC 1918, ULA), link-local (the
 * instance metadata service at 169.254.169.254 and fd00:ec2::254 among them), carrier-grade
 * NAT, multicast, reserved and unspecified. IPv4-mapped and NAT64 IPv6 forms are checked
 * as the IPv4 address they carry (isForbiddenAddress).
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['100::', 64],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::/96) address carries. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const high = Number.parseInt(hex[1]!, 16);
  const low = Number.parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export interface AddressPolicy {
  /** The local stack only: loopback addresses (a receiver on this machine) are allowed. */
  readonly allowLoopback: boolean;
}

/** Whether a delivery may not connect to this IP address (a string isIP accepts). */
export function isForbiddenAddress(address: string, policy: AddressPolicy): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return true;
  const v4 = family === 6 ? embeddedIpv4(bare) : bare;
  if (v4 !== undefined && isIP(v4) === 4) {
    if (policy.allowLoopback && LOOPBACK.check(v4, 'ipv4')) return false;
    return FORBIDDEN.check(v4, 'ipv4');
  }
  if (policy.allowLoopback && LOOPBACK.check(bare, 'ipv6')) return false;
  return FORBIDDEN.check(bare, 'ipv6');
}

export interface UrlPolicy extends AddressPolicy {
  /** The local stack only: `http://localhost` and `http://127.0.0.1` (any port) are allowed. */
  readonly allowLocalHttp: boolean;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks an endpoint URL when it is saved: https (http only for a local host when the policy
 * says so), no credentials, a host name, and not an IP literal in a forbidden range. A name
 * that resolves to a forbidden address is caught at delivery, where the address is checked
 * as the connection is made (adapters/http/webhook-transport.ts). Returns the normalized URL.
 */
export function validateWebhookUrl(raw: string, policy: UrlPolicy): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new WebhookError('url must be an absolute URL, e.g. https://example.com/parley-webhooks');
  }
  const host = url.hostname.toLowerCase();
  const local = LOCAL_HOSTS.has(host);
  if (url.protocol === 'http:') {
    if (!(policy.allowLocalHttp && local)) throw new WebhookError('url must use https');
  } else if (url.protocol !== 'https:') {
    throw new WebhookError('url must use https');
  }
  if (url.username !== '' || url.password !== '') throw new WebhookError('url must not carry a user name or password');
  if (url.hash !== '') throw new WebhookError('url must not have a #fragment');
  if (host === '' || host.endsWith('.')) throw new WebhookError('url must name a host');
  const literal = host.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0) {
    if (isForbiddenAddress(literal, policy)) throw new WebhookError('url must not point at a private, loopback or link-local address');
  } else if (local && !policy.allowLocalHttp) {
    throw new WebhookError('url must not point at a private, loopback or link-local address');
  } else if (!host.includes('.') && !local) {
    throw new WebhookError('url must name a public host (a fully qualified domain name)');
  } else if (/\.(internal|local|localhost)$/.test(host)) {
    throw new WebhookError('url must name a public host');
  }
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) throw new WebhookError(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  return url.href;
}

// --- Signatures --------------------------------------------------------------------------

/** `whsec_` and 32 random bytes, base64url: what the server generates and shows once. */
export const SECRET_PREFIX = 'whsec_';

/** HMAC-SHA256 of `<timestamp>.<body>` with the secret (the whole string, prefix included), hex. */
export function signatureOf(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}

/** The `parley-signature` header: `t=<seconds>,v1=<sig>` with one `v1` per secret in use. */
export function signatureHeader(secrets: readonly string[], timestampSeconds: number, body: string): string {
  return [`t=${timestampSeconds}`, ...secrets.map((secret) => `v1=${signatureOf(secret, timestampSeconds, body)}`)].join(',');
}

export type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver does (docs/webhooks.md gives the same as a standalone snippet): parse the
 * header, refuse a timestamp outside the tolerance, and accept when any `v1` equals the HMAC
 * computed over the raw body, compared in constant time.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { valid: false, reason: 'stale' };
  const expected = Buffer.from(signatureOf(secret, timestamp, body), 'hex');
  const match = signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return match ? { valid: true } : { valid: false, reason: 'mismatch' };
}

/** The secrets that sign now: the current one, and the previous one during its grace. */
export function signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
  const previousValid =
    endpoint.previousSecret !== undefined &&
    endpoint.previousSecretExpiresAt !== undefined &&
    Date.parse(endpoint.previousSecretExpiresAt) > now.getTime();
  return previousValid ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

// --- Payloads and retries ----------------------------------------------------------------

/** The JSON body a receiver gets. */
export interface WebhookPayload {
  /** The event id (also the `parley-webhook-id` header): stable across attempts. */
  readonly id: string;
  readonly type: WebhookEventType;
  /** When it happened (the event's `at`). */
  readonly createdAt: string;
  readonly data: DomainEvent | { readonly endpointId: string; readonly message: string };
}

export function payloadOf(event: DomainEvent): WebhookPayload {
  return { id: event.id, type: event.type, createdAt: event.at, data: event };
}

export function pingPayload(id: string, endpointId: string, at: Date): WebhookPayload {
  return { id, type: PING_EVENT_TYPE, createdAt: at.toISOString(), data: { endpointId, message: 'Parley webhook test' } };
}

/** Whether an endpoint gets this event now. */
export function subscribes(endpoint: Pick<WebhookEndpoint, 'enabled' | 'events'>, type: WebhookEventType): boolean {
  return endpoint.enabled && (type === PING_EVENT_TYPE || (endpoint.events as readonly string[]).includes(type));
}

export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failed one the delivery is given up. */
  readonly maxAttempts: number;
  /** The wait before the second attempt; it doubles per attempt up to MAX_RETRY_DELAY_SECONDS. */
  readonly baseDelaySeconds: number;
}

/**
 * Seconds to wait before attempt `nextAttempt` (2 or more): base x 2^(n-2), capped at SQS's
 * 900, with "equal jitter" (half fixed, half random from `random` in [0, 1)) so endpoints that
 * failed together do not retry in lockstep. Undefined when no attempt is left.
 */
export function retryDelaySeconds(policy: RetryPolicy, nextAttempt: number, random: () => number = Math.random): number | undefined {
  if (nextAttempt < 2 || nextAttempt > policy.maxAttempts) return undefined;
  const full = Math.min(MAX_RETRY_DELAY_SECONDS, policy.baseDelaySeconds * 2 ** (nextAttempt - 2));
  const half = full / 2;
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.round(half + half * Math.min(Math.max(random(), 0), 1)));
}

/** Whether a response counts as delivered: any 2xx. Anything else (and no response) is retried. */
export function isDelivered(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** One attempt as the delivery log keeps it. */
export interface DeliveryAttempt {
  readonly endpointId: string;
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: WebhookEventType;
  /** 1-based. */
  readonly attempt: number;
  readonly at: string;
  readonly durationMs: number;
  /** The receiver's HTTP status; absent when none came (timeout, refused address, network error). */
  readonly status?: number;
  readonly error?: string;
  /** `delivered`; `retrying` (another attempt is queued); `failed` (the last attempt failed: given up). */
  readonly outcome: 'delivered' | 'retrying' | 'failed';
  /** When retrying: the seconds until the next attempt. */
  readonly retryInSeconds?: number;
}
