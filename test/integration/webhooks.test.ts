import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type DeliveryAttempt, verifySignature } from '../../functions/domain/webhooks';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { deleteJson, getJson, postJson, putJson, RawClient } from '../../local/tools/raw-client';
import { storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * Webhooks on the local stack (docs/webhooks.md), through the real path: a chat's stored
 * changes are published to the events queue, the events consumer runs the webhooks sink, which
 * queues deliveries the worker POSTs to receivers started by this test. Deliveries are signed
 * (checked here as a receiver would: the right secret passes, a wrong secret or an old
 * timestamp fails); a failing receiver is retried and its log shows every attempt; a receiver
 * that hangs does not slow the chat; bad settings are refused.
 */

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly receivedAt: number;
}

/**
 * A receiver answering each request with the next status of `statuses` (200 once they run out);
 * with `hold`, it answers nothing until `release()` (a hanging endpoint).
 */
async function startReceiver(statuses: number[] = [], hold = false) {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      if (hold) held.push(response);
      else response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Requests still waiting for an answer (their connection open). */
    pending: () => held.filter((response) => !response.writableEnded && !response.destroyed).length,
    release: () => {
      for (const response of held) if (!response.writableEnded && !response.destroyed) response.writeHead(200).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of held) response.destroy();
        server.close(() => resolve());
      }),
  };
}

let stack: LocalStack;
let admin = '';
let supervisor = '';
const receivers: Array<{ close(): Promise<void> }> = [];
const clients: RawClient[] = [];
const MAX_ATTEMPTS = 3;

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    web: false,
    env: {
      // Retries at once (the schedule itself is unit-tested), three attempts in all, endpoints re-read on every event.
      WEBHOOK_RETRY_BASE_SECONDS: '0',
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      WEBHOOK_ENDPOINT_CACHE_SECONDS: '0',
      // The longest allowed: the hanging receiver's delivery stays open while the chat goes on.
      WEBHOOK_TIMEOUT_MS: '10000',
      RATE_LIMIT_SETTINGS_CHANGES: '10000/60',
      RATE_LIMIT_API_READS: '10000/60',
    },
  });
  const login = async (email: string) =>
    (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  admin = await login('admin@example.com');
  supervisor = await login('supervisor@example.com');
}, STACK_START_MS + budget(2));

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stack?.stop();
  await Promise.all(receivers.map((receiver) => receiver.close()));
});

const api = (path = '') => `${stack.httpUrl}/v1/webhooks${path}`;

async function receiver(statuses: number[] = [], hold = false) {
  const started = await startReceiver(statuses, hold);
  receivers.push(started);
  return started;
}

async function register(url: string, events: string[]) {
  const created = await postJson(api(), { url, events, description: 'test receiver' }, admin);
  expect(created.status).toBe(201);
  return created.body as { webhook: { id: string; secretHint: string }; secret: string };
}

const deliveriesOf = async (id: string) => {
  const response = await getJson(api(`/${id}/deliveries`), admin);
  expect(response.status).toBe(200);
  return response.body.deliveries as DeliveryAttempt[];
};

let chats = 0;
/** A visitor starts a chat (no agent online: it waits in the queue): conversation.started and message.created. */
async function startChat(text: string) {
  const { body: issued } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Wendy' });
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  clients.push(client);
  await client.request({ action: 'sync' }, ['synced']);
  const started = await client.request({ action: 'start', skill: 'billing', text, clientMsgId: `w-${++chats}` }, ['conversation']);
  return { client, conversationId: (started.conversation as { id: string }).id };
}

describe('registering', () => {
  it('an admin registers an endpoint and sees the secret once; lists and reads show only a hint', async () => {
    const target = await receiver();
    const { webhook, secret } = await register(target.url, ['message.created', 'conversation.closed']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhook.secretHint).toBe(`${secret.slice(0, 10)}...`);
    const listed = await getJson(api(), admin);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.webhooks).toContainEqual(expect.objectContaining({ id: webhook.id, enabled: true }));
    const read = await getJson(api(`/${webhook.id}`), admin);
    expect(read.body.webhook).toMatchObject({ url: target.url, events: ['message.created', 'conversation.closed'] });
    expect(JSON.stringify(read.body)).not.toContain(secret);
  });

  it('refuses non-admins, non-https URLs to other hosts, private targets and unknown event types, storing nothing', async () => {
    const before = await storedItems(stack);
    expect((await postJson(api(), { url: 'https://hooks.example.com/', events: ['message.created'] }, supervisor)).status).toBe(403);
    expect((await getJson(api(), supervisor)).status).toBe(403);
    expect((await getJson(api())).status).toBe(401);
    const refusals: Array<[unknown, RegExp]> = [
      [{ url: 'http://hooks.example.com/', events: ['message.created'] }, /https/],
      [{ url: 'https://10.0.0.8/hook', events: ['message.created'] }, /private/],
      [{ url: 'https://169.254.169.254/latest', events: ['message.created'] }, /link-local/],
      [{ url: 'https://hooks.example.com/', events: ['conversation.exploded'] }, /events/],
      [{ url: 'https://hooks.example.com/', events: [] }, /at least one event/],
    ];
    for (const [body, message] of refusals) {
      const response = await postJson(api(), body, admin);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.message).toMatch(message);
    }
    expect(await storedItems(stack)).toEqual(before);
  });
});

describe('deliveries', () => {
  it(
    'a ping and an event arrive signed; the signature checks with the secret, and fails with a wrong one or an old timestamp',
    async () => {
      const target = await receiver();
      const { webhook, secret } = await register(target.url, ['message.created']);
      const ping = await postJson(api(`/${webhook.id}/test`), {}, admin);
      expect(ping.status).toBe(202);
      const { conversationId } = await startChat('Where is my refund?');
      await waitFor(() => target.received.length >= 2, { timeoutMs: budget(2), message: 'the ping and the event delivered' });

      const types = target.received.map((request) => request.headers['parley-event']).sort();
      expect(types).toEqual(['message.created', 'webhook.ping']);
      for (const request of target.received) {
        const header = request.headers['parley-signature'] as string;
        const now = Math.floor(request.receivedAt / 1000);
        expect(verifySignature(secret, header, request.body, now)).toEqual({ valid: true });
        expect(verifySignature(`${secret}x`, header, request.body, now)).toEqual({ valid: false, reason: 'mismatch' });
        expect(verifySignature(secret, header, request.body, now + 301)).toEqual({ valid: false, reason: 'stale' });
        expect(Number(request.headers['parley-timestamp'])).toBe(Number(/t=(\d+)/.exec(header)![1]));
      }
      const event = target.received.find((request) => request.headers['parley-event'] === 'message.created')!;
      expect(event.headers['parley-webhook-id']).toBe(`${conversationId}:message:1`);
      expect(JSON.parse(event.body)).toMatchObject({
        id: `${conversationId}:message:1`,
        type: 'message.created',
        data: { conversationId, skill: 'billing', seq: 1, text: 'Where is my refund?', from: { role: 'customer' } },
      });

      const log = await waitFor(async () => ((await deliveriesOf(webhook.id)).length >= 2 ? deliveriesOf(webhook.id) : undefined), {
        timeoutMs: budget(2),
        intervalMs: 200,
      });
      expect(log.every((attempt) => attempt.outcome === 'delivered' && attempt.status === 200 && attempt.attempt === 1)).toBe(true);
      await deleteJson(api(`/${webhook.id}`), admin);
    },
    budget(6),
  );

  it(
    'a failing receiver is retried until it answers 2xx, and one that never does is given up after the last attempt',
    async () => {
      const flaky = await receiver([500, 503]);
      const broken = await receiver([500, 500, 500, 500]);
      const flakyHook = await register(flaky.url, ['conversation.closed']);
      const brokenHook = await register(broken.url, ['conversation.closed']);
      const { client, conversationId } = await startChat('Never mind');
      await client.request({ action: 'close', conversationId }, ['closed']);
      const settled = (log: DeliveryAttempt[]) => log.some((attempt) => attempt.outcome !== 'retrying');
      const flakyLog = await waitFor(
        async () => {
          const log = await deliveriesOf(flakyHook.webhook.id);
          return settled(log) ? log : undefined;
        },
        { timeoutMs: budget(6), message: 'the flaky receiver delivered' },
      );
      const brokenLog = await waitFor(
        async () => {
          const log = await deliveriesOf(brokenHook.webhook.id);
          return settled(log) ? log : undefined;
        },
        { timeoutMs: budget(6), message: 'the broken receiver given up' },
      );

      const summary = (log: DeliveryAttempt[]) =>
        log.map(({ attempt, outcome, status }) => ({ attempt, outcome, status })).sort((a, b) => a.attempt - b.attempt);
      expect(summary(flakyLog)).toEqual([
        { attempt: 1, outcome: 'retrying', status: 500 },
        { attempt: 2, outcome: 'retrying', status: 503 },
        { attempt: 3, outcome: 'delivered', status: 200 },
      ]);
      expect(summary(brokenLog)).toEqual([
        { attempt: 1, outcome: 'retrying', status: 500 },
        { attempt: 2, outcome: 'retrying', status: 500 },
        { attempt: 3, outcome: 'failed', status: 500 },
      ]);
      // One delivery id across the attempts, each attempt numbered in its header; the event id is stable.
      expect(new Set(flakyLog.map((attempt) => attempt.deliveryId)).size).toBe(1);
      expect(flaky.received.map((request) => request.headers['parley-delivery-attempt'])).toEqual(['1', '2', '3']);
      expect(new Set(flaky.received.map((request) => request.headers['parley-webhook-id']))).toEqual(new Set([`${conversationId}:closed`]));
      expect(broken.received).toHaveLength(MAX_ATTEMPTS);
      for (const attempt of flakyLog) expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      await deleteJson(api(`/${flakyHook.webhook.id}`), admin);
      await deleteJson(api(`/${brokenHook.webhook.id}`), admin);
    },
    budget(14),
  );

  it(
    'a receiver that hangs does not slow the chat: messages are acknowledged while its delivery is still waiting',
    async () => {
      const hanging = await receiver([], true);
      const { webhook } = await register(hanging.url, ['message.created']);
      const { client, conversationId } = await startChat('First');
      await waitFor(() => hanging.pending() === 1, { timeoutMs: budget(2), message: 'the first delivery held open' });
      // The chat goes on while the delivery hangs: the next message is stored and acknowledged.
      const ack = await client.request({ action: 'message', conversationId, text: 'Second', clientMsgId: 'hang-2' }, ['ack']);
      expect(ack.type).toBe('ack');
      expect(hanging.pending()).toBeGreaterThanOrEqual(1);
      hanging.release();
      await waitFor(
        () => hanging.received.some((request) => request.headers['parley-webhook-id'] === `${conversationId}:message:${ack.seq}`),
        {
          timeoutMs: budget(2),
          message: 'the second message delivered',
        },
      );
      hanging.release();
      await deleteJson(api(`/${webhook.id}`), admin);
    },
    budget(6),
  );

  it(
    'a disabled endpoint gets nothing; event types it does not subscribe to are not sent',
    async () => {
      const target = await receiver();
      const { webhook } = await register(target.url, ['conversation.started']);
      const disabled = await putJson(api(`/${webhook.id}`), { enabled: false }, admin);
      expect(disabled.status).toBe(200);
      expect(disabled.body.webhook.enabled).toBe(false);
      // A control endpoint for the same event proves the event was fanned out meanwhile.
      const control = await receiver();
      const controlHook = await register(control.url, ['conversation.started']);
      const { conversationId } = await startChat('Hello?');
      await waitFor(() => control.received.length === 1, { timeoutMs: budget(2), message: 'the control delivery' });
      // The control subscribes to conversation.started only: the chat's message.created was not sent to it.
      expect(control.received.map((request) => JSON.parse(request.body).id)).toEqual([`${conversationId}:started`]);
      expect(target.received).toHaveLength(0);
      expect(await deliveriesOf(webhook.id)).toEqual([]);
      await deleteJson(api(`/${webhook.id}`), admin);
      await deleteJson(api(`/${controlHook.webhook.id}`), admin);
    },
    budget(6),
  );
});

describe('changing and deleting', () => {
  it('rotates the secret (shown once; the old one signs alongside for a grace period), edits, and deletes', async () => {
    const target = await receiver();
    const { webhook, secret } = await register(target.url, ['message.created']);
    const rotated = await putJson(api(`/${webhook.id}`), { rotateSecret: true }, admin);
    expect(rotated.status).toBe(200);
    const next = rotated.body.secret as string;
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);
    await postJson(api(`/${webhook.id}/test`), {}, admin);
    await waitFor(() => target.received.length === 1, { timeoutMs: budget(2), message: 'the ping after rotation' });
    const [ping] = target.received;
    const now = Math.floor(ping!.receivedAt / 1000);
    expect(verifySignature(next, ping!.headers['parley-signature'] as string, ping!.body, now).valid).toBe(true);
    expect(verifySignature(secret, ping!.headers['parley-signature'] as string, ping!.body, now).valid).toBe(true);

    const edited = await putJson(api(`/${webhook.id}`), { events: ['ticket.created'], description: 'CRM' }, admin);
    expect(edited.body.webhook).toMatchObject({ events: ['ticket.created'], description: 'CRM' });
    expect(edited.body.secret).toBeUndefined();
    expect((await putJson(api(`/${webhook.id}`), { url: 'http://hooks.example.com/' }, admin)).status).toBe(400);
    expect((await putJson(api(`/${webhook.id}`), {}, admin)).status).toBe(400);

    expect((await deleteJson(api(`/${webhook.id}`), admin)).status).toBe(200);
    expect((await getJson(api(`/${webhook.id}`), admin)).status).toBe(404);
    expect((await deleteJson(api(`/${webhook.id}`), admin)).status).toBe(404);
    expect((await getJson(api('/not-an-id'), admin)).status).toBe(400);
  });
});
