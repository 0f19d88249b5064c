import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWebhookTransport } from '../../../functions/adapters/http/webhook-transport';

/** The delivery transport against a server on this machine: the at-connect address check, the timeout, redirects. */
let server: Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request.url ?? '');
    if (request.url === '/hang') return; // never answers
    if (request.url === '/redirect') {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      return;
    }
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the webhook transport', () => {
  it('posts when the address is allowed (loopback under the local policy)', async () => {
    const transport = nodeWebhookTransport({ timeoutMs: 5000, allowLoopback: true });
    const outcome = await transport.post(`http://localhost:${port}/ok`, '{}', { 'parley-signature': 't=1,v1=00' });
    expect(outcome).toMatchObject({ kind: 'response', status: 204 });
  });

  it('refuses a name resolving to a forbidden address at connect, and an IP literal before it, without reaching the server', async () => {
    const transport = nodeWebhookTransport({ timeoutMs: 5000, allowLoopback: false });
    const before = seen.length;
    const byName = await transport.post(`http://localhost:${port}/secret`, '{}', {});
    expect(byName).toMatchObject({ kind: 'error', error: expect.stringMatching(/^refused: localhost resolves only to private/) });
    const byLiteral = await transport.post(`http://127.0.0.1:${port}/secret`, '{}', {});
    expect(byLiteral).toMatchObject({ kind: 'error', error: expect.stringMatching(/^refused/) });
    expect(seen.length).toBe(before);
  });

  it('gives up on an endpoint that does not answer within the timeout', async () => {
    const transport = nodeWebhookTransport({ timeoutMs: 200, allowLoopback: true });
    const outcome = await transport.post(`http://127.0.0.1:${port}/hang`, '{}', {});
    expect(outcome).toMatchObject({ kind: 'error', error: 'timed out after 200 ms' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(150);
  });

  it('does not follow redirects: a 3xx is the answer (and a failed attempt)', async () => {
    const transport = nodeWebhookTransport({ timeoutMs: 5000, allowLoopback: true });
    const outcome = await transport.post(`http://127.0.0.1:${port}/redirect`, '{}', {});
    expect(outcome).toMatchObject({ kind: 'response', status: 302 });
  });
});
