import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  endpointView,
  isDelivered,
  isForbiddenAddress,
  MAX_RETRY_DELAY_SECONDS,
  retryDelaySeconds,
  signatureHeader,
  signatureOf,
  signingSecrets,
  subscribes,
  validateWebhookUrl,
  verifySignature,
  type WebhookEndpoint,
} from '../../../functions/domain/webhooks';

const AWS = { allowLocalHttp: false, allowLoopback: false };
const LOCAL = { allowLocalHttp: true, allowLoopback: true };

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"evt_1","type":"message.created"}';

  it('signs `<t>.<body>` with HMAC-SHA256, hex, in a `t=...,v1=...` header', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureOf(secret, 1_700_000_000, body)).toBe(expected);
    expect(signatureHeader([secret], 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies within the tolerance and refuses a stale timestamp, a wrong secret, a changed body or a malformed header', () => {
    const header = signatureHeader([secret], 1_700_000_000, body);
    expect(verifySignature(secret, header, body, 1_700_000_000 + 299)).toEqual({ valid: true });
    expect(verifySignature(secret, header, body, 1_700_000_000 - 299)).toEqual({ valid: true });
    expect(verifySignature(secret, header, body, 1_700_000_000 + 301)).toEqual({ valid: false, reason: 'stale' });
    expect(verifySignature('whsec_other', header, body, 1_700_000_000)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifySignature(secret, header, `${body} `, 1_700_000_000)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verifySignature(secret, 'v1=abc', body, 1_700_000_000)).toEqual({ valid: false, reason: 'malformed' });
    expect(verifySignature(secret, 't=1700000000', body, 1_700_000_000)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('carries one v1 per secret during a rotation: a receiver holding either secret accepts', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], 1_700_000_000, body);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifySignature('whsec_new', header, body, 1_700_000_000).valid).toBe(true);
    expect(verifySignature('whsec_old', header, body, 1_700_000_000).valid).toBe(true);
    expect(verifySignature('whsec_neither', header, body, 1_700_000_000).valid).toBe(false);
  });

  it('signs with the previous secret only until its grace ends', () => {
    const endpoint = {
      secret: 'whsec_new',
      previousSecret: 'whsec_old',
      previousSecretExpiresAt: '2026-06-02T00:00:00.000Z',
    } as WebhookEndpoint;
    expect(signingSecrets(endpoint, new Date('2026-06-01T23:59:59Z'))).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(endpoint, new Date('2026-06-02T00:00:00Z'))).toEqual(['whsec_new']);
  });

  it('never shows the secrets in the API view', () => {
    const view = endpointView({
      id: 'wh_0123456789',
      url: 'https://example.com/hook',
      events: ['message.created'],
      enabled: true,
      secret: 'whsec_abcdefghijklmnop',
      previousSecret: 'whsec_old',
      previousSecretExpiresAt: '2026-01-01T00:00:00Z',
      createdAt: 'x',
      updatedAt: 'x',
    });
    expect(JSON.stringify(view)).not.toContain('abcdefghijklmnop');
    expect(JSON.stringify(view)).not.toContain('whsec_old');
    expect(view.secretHint).toBe('whsec_abcd...');
  });
});

describe('the retry schedule', () => {
  const policy = { maxAttempts: 8, baseDelaySeconds: 30 };

  it('doubles from the base per attempt, capped at SQS’s 900 s, with jitter in the upper half', () => {
    const top = (attempt: number) => retryDelaySeconds(policy, attempt, () => 0.999_999);
    const bottom = (attempt: number) => retryDelaySeconds(policy, attempt, () => 0);
    expect([2, 3, 4, 5, 6, 7, 8].map(top)).toEqual([30, 60, 120, 240, 480, 900, 900]);
    expect([2, 3, 4, 5, 6, 7, 8].map(bottom)).toEqual([15, 30, 60, 120, 240, 450, 450]);
    for (let attempt = 2; attempt <= 8; attempt++) expect(top(attempt)).toBeLessThanOrEqual(MAX_RETRY_DELAY_SECONDS);
  });

  it('has no attempt after the last (the delivery is given up) and none before the second', () => {
    expect(retryDelaySeconds(policy, 9, () => 0.5)).toBeUndefined();
    expect(retryDelaySeconds(policy, 1, () => 0.5)).toBeUndefined();
    expect(retryDelaySeconds({ maxAttempts: 1, baseDelaySeconds: 30 }, 2)).toBeUndefined();
  });

  it('retries immediately with a zero base (the local stack’s tests)', () => {
    expect(retryDelaySeconds({ maxAttempts: 3, baseDelaySeconds: 0 }, 2, () => 0.7)).toBe(0);
  });

  it('counts only 2xx as delivered', () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([undefined, 0, 199, 301, 400, 410, 429, 500].some((status) => isDelivered(status))).toBe(false);
  });
});

describe('webhook URLs', () => {
  it('accepts https URLs to public hosts, normalized', () => {
    expect(validateWebhookUrl('https://Hooks.Example.com/parley?x=1', AWS)).toBe('https://hooks.example.com/parley?x=1');
    expect(validateWebhookUrl('https://93.184.216.34:8443/hook', AWS)).toBe('https://93.184.216.34:8443/hook');
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['not a url', /absolute URL/],
    ['https://user:pw@hooks.example.com/', /user name or password/],
    ['https://hooks.example.com/#x', /fragment/],
    ['https://127.0.0.1/', /private, loopback or link-local/],
    ['https://10.1.2.3/', /private/],
    ['https://172.20.0.1/', /private/],
    ['https://192.168.1.1/', /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://[::1]/', /private/],
    ['https://[fd00:ec2::254]/', /private/],
    ['https://[::ffff:169.254.169.254]/', /private/],
    ['https://0.0.0.0/', /private/],
    ['https://localhost/', /private/],
    ['https://intranet/', /fully qualified/],
    ['https://metadata.google.internal/', /public host/],
    ['http://localhost:8080/', /https/],
  ])('refuses %s on AWS', (url, message) => {
    expect(() => validateWebhookUrl(url, AWS)).toThrow(message);
  });

  it('allows http to localhost only when the local stack says so, and still refuses private hosts there', () => {
    expect(validateWebhookUrl('http://127.0.0.1:4010/hook', LOCAL)).toBe('http://127.0.0.1:4010/hook');
    expect(validateWebhookUrl('http://localhost:4010/hook', LOCAL)).toBe('http://localhost:4010/hook');
    expect(() => validateWebhookUrl('http://example.com/hook', LOCAL)).toThrow(/https/);
    expect(() => validateWebhookUrl('https://10.0.0.5/hook', LOCAL)).toThrow(/private/);
  });
});

describe('forbidden addresses (checked again at connect)', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '100.64.0.1',
    '169.254.169.254',
    '172.31.255.255',
    '192.168.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::127.0.0.1',
    'not-an-ip',
  ])('%s is refused', (address) => {
    expect(isForbiddenAddress(address, AWS)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('%s is allowed', (address) => {
    expect(isForbiddenAddress(address, AWS)).toBe(false);
  });

  it('allows loopback only under the local policy', () => {
    expect(isForbiddenAddress('127.0.0.1', LOCAL)).toBe(false);
    expect(isForbiddenAddress('::1', LOCAL)).toBe(false);
    expect(isForbiddenAddress('10.0.0.1', LOCAL)).toBe(true);
  });
});

describe('subscriptions', () => {
  it('delivers subscribed types to enabled endpoints, and pings whatever they subscribe to', () => {
    const endpoint = { enabled: true, events: ['conversation.closed'] as const };
    expect(subscribes(endpoint, 'conversation.closed')).toBe(true);
    expect(subscribes(endpoint, 'message.created')).toBe(false);
    expect(subscribes(endpoint, 'webhook.ping')).toBe(true);
    expect(subscribes({ ...endpoint, enabled: false }, 'conversation.closed')).toBe(false);
  });
});
