import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { startRedisSwitch, type RedisSwitch } from '../support/redis-switch';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';
import { ask, connectAndSync, guestToken, settled, storedItems } from './support';

/**
 * Issue 12's abuse findings, each reproduced against a running stack and now refused, and the
 * stack measured staying responsive for one pair of users while another user floods it.
 * Windows are an hour long so a slow machine cannot see one lapse mid-file.
 */
const MAX_CONNECTIONS = 10;
const ENV = {
  RATE_LIMIT_STARTS: '2/3600',
  RATE_LIMIT_TYPING: '5/3600',
  RATE_LIMIT_READS: '5/3600',
  RATE_LIMIT_SYNCS: '5/3600',
  RATE_LIMIT_CONVERSATION_CHANGES: '5/3600',
  RATE_LIMIT_HEARTBEATS: '20/3600',
  // Each test mints its own guests; the per-IP guest-token limit is shown in limits-on-stack.
  RATE_LIMIT_GUEST_TOKENS: '1000/3600',
  RATE_LIMIT_API_READS: '5/3600',
  // Every client of the file connects from 127.0.0.1: the per-IP limits are shown elsewhere.
  RATE_LIMIT_CONNECTS_PER_IP: '1000000/3600',
  RATE_LIMIT_CONNECTS_PER_USER: '2000/3600',
  MAX_CONNECTIONS_PER_CUSTOMER: String(MAX_CONNECTIONS),
};
const UPSTASH_SECRET = 'parley/upstash-behind-switch';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let stack: LocalStack;
let redis: RedisSwitch;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, env: { ...ENV, UPSTASH_SECRET_ID: UPSTASH_SECRET } });
  // Handlers read the Upstash secret on first use: point it at a switch in front of the real endpoint.
  redis = await startRedisSwitch(stack.endpoints.upstash);
  const secrets = new SecretsManagerClient({ endpoint: stack.endpoints.secretsManager, region: LOCAL_REGION, credentials });
  await secrets.send(
    new CreateSecretCommand({
      Name: UPSTASH_SECRET,
      SecretString: JSON.stringify({ url: redis.url, token: await upstashToken(stack) }),
    }),
  );
}, STACK_START_MS + budget(3));

afterAll(async () => {
  await stack?.stop();
  await redis?.close();
});

/** The token the stack's own Upstash secret holds (the switch forwards it unchanged). */
async function upstashToken(target: LocalStack): Promise<string> {
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const secrets = new SecretsManagerClient({ endpoint: target.endpoints.secretsManager, region: LOCAL_REGION, credentials });
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: 'parley/upstash' }));
  return (JSON.parse(secret.SecretString ?? '{}') as { token: string }).token;
}

/** A staff token from the demo accounts. */
async function staffToken(email: string): Promise<string> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.token as string;
}

/** Opens a connection, or says with which HTTP status the handshake was refused. */
async function tryConnect(token: string): Promise<RawClient | number> {
  try {
    return await RawClient.connect(stack.wsUrl, token);
  } catch (error) {
    const status = /HTTP (\d+)/.exec(String(error))?.[1];
    if (!status) throw error;
    return Number(status);
  }
}

async function liveRecords(userId: string): Promise<number> {
  return (await stack.wiring().ports.connections.listForUser(userId, Math.floor(Date.now() / 1000))).length;
}

function userIdOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

/** Counts DynamoDB requests by operation while `work` runs (a middleware on the stack's client). */
async function countDynamoRequests<T>(work: () => Promise<T>): Promise<{ result: T; requests: Record<string, number> }> {
  const requests: Record<string, number> = {};
  const name = `count-${Math.random()}`;
  stack.wiring().clients.dynamodb.middlewareStack.add(
    (next, context) => (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      requests[operation] = (requests[operation] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await work(), requests };
  } finally {
    stack.wiring().clients.dynamodb.middlewareStack.remove(name);
  }
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('abuse limits on every path (issue 12)', () => {
  it(
    'a message without conversationId passes the start limit: no conversations past it',
    async () => {
      const { client } = await connectAndSync(stack, await guestToken(stack));
      const outcomes: string[] = [];
      // Before: 7 such messages, each after closing the last conversation, opened 7 at a 2/hour limit.
      for (let i = 0; i < 7; i++) {
        const reply = await ask(client, { action: 'message', clientMsgId: `open-${i}`, text: `attempt ${i}` }, ['ack', 'error']);
        outcomes.push(reply.type === 'ack' ? 'opened' : String(reply.code));
        if (reply.type === 'ack') {
          const closed = await ask(client, { action: 'close', conversationId: reply.conversationId }, ['closed', 'error']);
          expect(closed.type).toBe('closed');
        }
      }
      expect(outcomes).toEqual(['opened', 'opened', ...Array(5).fill('rate_limited')]);
      await client.close();
    },
    budget(14),
  );

  it(
    'limits count per user: more connections do not multiply the quota',
    async () => {
      const token = await guestToken(stack);
      const clients = await Promise.all([0, 1, 2].map(async () => (await connectAndSync(stack, token)).client));
      const replies: Frame[] = [];
      // 30 heartbeats over three connections against a limit of 20 per user.
      for (let i = 0; i < 30; i++) replies.push(await ask(clients[i % 3]!, { action: 'heartbeat', ts: i }, ['pong', 'error']));
      expect(replies.filter((reply) => reply.type === 'pong')).toHaveLength(20);
      const refused = replies.filter((reply) => reply.type === 'error');
      expect(refused).toHaveLength(10);
      for (const reply of refused)
        expect(reply).toMatchObject({ code: 'rate_limited', action: 'heartbeat', retryAfterMs: expect.any(Number) });
      await Promise.all(clients.map((client) => client.close()));
    },
    budget(30),
  );

  it(
    'typing, sync, read, rate, close and transfer, unlimited before, now answer rate_limited past their limit',
    async () => {
      const { client } = await connectAndSync(stack, await guestToken(stack)); // one sync of the five
      const conversation = await ask(client, { action: 'start', text: 'hi', clientMsgId: 's-1' }, ['conversation', 'error']);
      const conversationId = (conversation.conversation as { id: string }).id;
      const frames: Record<string, Record<string, unknown>> = {
        typing: { action: 'typing', conversationId },
        read: { action: 'read', conversationId, seq: 1 },
        sync: { action: 'sync' },
        rate: { action: 'rate', conversationId, score: 5 },
        close: { action: 'close', conversationId: 'NOT-MINE' },
        transfer: { action: 'transfer', conversationId, toSkill: 'tech' },
      };
      for (const [action, frame] of Object.entries(frames)) {
        for (let i = 0; i < 6; i++) client.send(frame);
        const refusal = await client.waitFor(
          (reply) => reply.type === 'error' && reply.action === action && reply.code === 'rate_limited',
          budget(6),
        );
        expect(refusal.retryAfterMs, action).toBeGreaterThan(0);
      }
      await client.close();
    },
    budget(40),
  );

  // 401 attempts in batches of 50, then 11 one by one.
  it(
    '401 connections on one guest token: the cap admits 10, refuses the rest with 429 and keeps no record of them',
    async () => {
      const flooder = await guestToken(stack, 'Many sockets');
      const userId = userIdOf(flooder);
      const started = Date.now();
      const outcomes: Array<RawClient | number> = [];
      for (let batch = 0; batch < 401; batch += 50) {
        const size = Math.min(50, 401 - batch);
        outcomes.push(...(await Promise.all(Array.from({ length: size }, () => tryConnect(flooder)))));
      }
      const opened = outcomes.filter((outcome): outcome is RawClient => outcome instanceof RawClient);
      const statuses = outcomes.filter((outcome): outcome is number => typeof outcome === 'number');
      console.log(
        `abuse: 401 connection attempts on one token in ${Date.now() - started} ms: ${opened.length} opened, ` +
          `${statuses.length} refused (${[...new Set(statuses)].join(', ')})`,
      );
      expect(opened.length).toBeGreaterThanOrEqual(1);
      expect(opened.length).toBeLessThanOrEqual(MAX_CONNECTIONS);
      expect(new Set(statuses)).toEqual(new Set([429]));
      expect(await liveRecords(userId)).toBe(opened.length);

      // The refused ones count for nothing: with every admitted one closed, exactly 10 fit again.
      await Promise.all(opened.map((client) => client.close()));
      await waitFor(async () => (await liveRecords(userId)) === 0, { timeoutMs: budget(opened.length), message: 'disconnects recorded' });
      const again: Array<RawClient | number> = [];
      for (let i = 0; i <= MAX_CONNECTIONS; i++) again.push(await tryConnect(flooder));
      expect(again.slice(0, MAX_CONNECTIONS).every((outcome) => outcome instanceof RawClient)).toBe(true);
      expect(again[MAX_CONNECTIONS]).toBe(429);
      expect(await liveRecords(userId)).toBe(MAX_CONNECTIONS);
      await Promise.all(again.map((outcome) => (outcome instanceof RawClient ? outcome.close() : undefined)));
    },
    budget(45),
  );

  it(
    'a sync of 3,172 cursors is refused outright (too_large, no reads); the largest allowed is one batched read',
    async () => {
      await settled(stack, undefined, budget(3)); // no routing in flight to blur the request counts
      const { client } = await connectAndSync(stack, await guestToken(stack));
      // Short ids, as in the finding (a 31 KB frame): the gateway's frame limit is 32 KB.
      const cursors = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [i.toString(36).padStart(3, '0'), 0]));
      const huge = JSON.stringify({ action: 'sync', cursors: cursors(3172) });
      let started = Date.now();
      const refused = await countDynamoRequests(() => ask(client, huge, ['synced', 'error']));
      const refusedMs = Date.now() - started;
      expect(refused.result).toMatchObject({ type: 'error', code: 'too_large', action: 'sync' });
      // Nothing of the sync's own (background functions may read a little meanwhile).
      expect(refused.requests.BatchGetItem ?? 0).toBe(0);
      expect(refused.requests.GetItem ?? 0).toBeLessThan(10);

      // The largest frame allowed: 100 cursors, none of them visible to this user.
      const second = client;
      started = Date.now();
      const allowed = await countDynamoRequests(() => ask(second, { action: 'sync', cursors: cursors(100) }, ['synced', 'error']));
      const allowedMs = Date.now() - started;
      expect(allowed.result.type).toBe('synced');
      expect(allowed.requests.BatchGetItem).toBe(1);
      expect(allowed.requests.GetItem ?? 0).toBeLessThan(10);
      console.log(
        `abuse: sync with 3,172 cursors (${huge.length} bytes): ${refused.result.code} in ${refusedMs} ms, DynamoDB ${JSON.stringify(refused.requests)}; ` +
          `with 100 cursors: synced in ${allowedMs} ms, DynamoDB ${JSON.stringify(allowed.requests)}`,
      );
      await client.close();
    },
    budget(6),
  );

  it(
    'admins cannot create staff ids in the customer namespaces',
    async () => {
      const admin = await staffToken('admin@example.com');
      const before = await storedItems(stack);
      for (const id of ['guest:01JCUSTOMER', 'site:customer-7', 'system', 'GUEST:shout']) {
        const response = await postJson(
          `${stack.httpUrl}/v1/agents`,
          { id, email: `${id.replace(/\W/g, '')}@example.com`, name: 'Impostor', password: 'long-enough-password' },
          admin,
        );
        expect(response, id).toMatchObject({
          status: 400,
          body: { error: { code: 'bad_request', message: expect.stringMatching(/cannot be used/) } },
        });
      }
      expect(await storedItems(stack)).toEqual(before);
    },
    budget(6),
  );
});

describe('with Redis unreachable', () => {
  it(
    'costly limits fail closed (503 / unavailable with a retry hint), cheap ones open, and all recover with Redis',
    async () => {
      const customer = (await connectAndSync(stack, await guestToken(stack))).client;
      const conversation = await ask(customer, { action: 'start', text: 'before the outage', clientMsgId: 'r-0' }, [
        'conversation',
        'error',
      ]);
      const conversationId = (conversation.conversation as { id: string }).id;
      const agent = await staffToken('agent.tech@example.com');
      redis.setReachable(false);
      try {
        // Before: 10 of 10 guest tokens were issued at a 3/60 limit with Redis down.
        // (Concurrently: each refusal waits out the fail-closed timeout.)
        const guests = await Promise.all(
          Array.from({ length: 10 }, () =>
            fetch(`${stack.httpUrl}/v1/auth/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
          ),
        );
        expect(guests.map((response) => response.status)).toEqual(Array(10).fill(503));
        expect(Number(guests[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await guests[0]!.json()).toMatchObject({ error: { code: 'unavailable' } });
        expect(
          (await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' })).status,
        ).toBe(503);
        expect((await postJson(`${stack.httpUrl}/v1/auth/refresh`, { refreshToken: 'x'.repeat(40) })).status).toBe(503);
        expect(await tryConnect(agent)).toBe(503);
        // Cheap reads fail open: the agent still lists conversations.
        expect((await getJson(`${stack.httpUrl}/v1/conversations`, agent)).status).toBe(200);
        // On the open socket: a message fails open (acknowledged), a start fails closed.
        expect(
          await ask(customer, { action: 'message', conversationId, clientMsgId: 'r-1', text: 'during' }, ['ack', 'error']),
        ).toMatchObject({
          type: 'ack',
        });
        const start = await ask(customer, { action: 'message', clientMsgId: 'r-2', text: 'a new one' }, ['ack', 'error']);
        expect(start).toMatchObject({ type: 'error', code: 'unavailable', retryAfterMs: expect.any(Number) });
        expect(redis.cut).toBeGreaterThan(0);
      } finally {
        redis.setReachable(true);
        // A routing trigger that failed during the cut waits out the queue's 180 s visibility
        // timeout, as on AWS; the next test's settled() should not.
        stack.expireRoutingVisibility();
      }
      expect((await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' })).status).toBe(
        200,
      );
      await customer.close();
    },
    budget(25),
  );
});

describe('staying responsive while one client floods', () => {
  // Two runs of 100 acknowledged messages, and the flood between them.
  it(
    'an agent and a customer keep their acks (p50/p99 measured) under a flood of frames and connections from another user',
    async () => {
      await settled(stack, undefined, budget(3));
      const agentToken = await staffToken('agent.billing@example.com');
      const agent = (await connectAndSync(stack, agentToken)).client;
      expect(await agent.request({ action: 'status', status: 'online' }, ['status'])).toMatchObject({ status: 'online' });
      const customer = (await connectAndSync(stack, await guestToken(stack, 'Pat'))).client;
      const started = await ask(customer, { action: 'start', skill: 'billing', text: 'hello', clientMsgId: 'p-0' }, [
        'conversation',
        'error',
      ]);
      expect(started.type).toBe('conversation');
      const conversationId = (started.conversation as { id: string }).id;
      await agent.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId, budget(3));

      let lastHeartbeat = performance.now();
      /** Messages the pair has sent: the flood paces itself by them (rounds per pair message). */
      let pairSent = 0;
      const exchange = async (label: string, count: number): Promise<number[]> => {
        const latencies: number[] = [];
        for (let i = 0; i < count; i++) {
          pairSent += 1;
          // The agent stays present (a real console heartbeats every HEARTBEAT_SECONDS).
          if (performance.now() - lastHeartbeat > 15_000) {
            lastHeartbeat = performance.now();
            expect((await agent.request({ action: 'heartbeat' }, ['pong', 'error'])).type).toBe('pong');
          }
          const sender = i % 2 === 0 ? customer : agent;
          const clientMsgId = `${label}-${i}`;
          const sent = performance.now();
          sender.send({ action: 'message', conversationId, clientMsgId, text: `${label} ${i}` });
          const reply = await sender.waitFor(
            (frame) => (frame.type === 'ack' || frame.type === 'error') && frame.clientMsgId === clientMsgId,
            budget(1),
          );
          expect(reply.type, JSON.stringify(reply)).toBe('ack');
          latencies.push(performance.now() - sent);
        }
        return latencies.sort((a, b) => a - b);
      };
      const summary = (latencies: number[]) =>
        `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`;

      const quiet = await exchange('quiet', 100);
      console.log(`abuse: pair ack latency over 100 messages, quiet: ${summary(quiet)}`);

      // The flooder: one guest identity, as many sockets as the cap allows, every kind of frame.
      const floodToken = await guestToken(stack, 'Flood');
      const floodClients: RawClient[] = [];
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        const outcome = await tryConnect(floodToken);
        if (outcome instanceof RawClient) floodClients.push(outcome);
      }
      expect(floodClients.length).toBeGreaterThan(0);
      const kinds: Array<string | Record<string, unknown>> = [
        { action: 'heartbeat' },
        { action: 'sync', cursors: { [conversationId]: 0 } },
        { action: 'message', clientMsgId: 'x', text: 'spam without a conversation' },
        { action: 'message', conversationId, clientMsgId: 'y', text: 'into their chat' },
        { action: 'typing', conversationId },
        { action: 'read', conversationId, seq: 1 },
        { action: 'rate', conversationId, score: 1 },
        { action: 'close', conversationId },
        { action: 'transfer', conversationId, toSkill: 'tech' },
        { action: 'status', status: 'online' },
        '{not json',
        { action: 'no-such-action' },
      ];
      // Each kind answers exactly one of these, served or refused (pushes are other types).
      const replyTypes = new Set(['pong', 'synced', 'ack', 'error']);
      const replies = (client: RawClient) => client.frames.filter((frame) => replyTypes.has(frame.type)).length;
      const tally = {
        frames: 0,
        answered: 0,
        codes: {} as Record<string, number>,
        attempts: 0,
        refusedConnects: {} as Record<string, number>,
      };
      let flooding = true;
      // A round of every kind per socket, and a connection attempt per attacker loop, for each
      // message of the pair: 130 flood frames per measured message, however fast the machine.
      const nextRound = (round: number) =>
        waitFor(() => !flooding || pairSent > round, { timeoutMs: budget(3), message: 'the pair to send again' });
      const floodSocket = async (client: RawClient, index: number) => {
        const first = pairSent;
        for (let round = first; flooding; round++) {
          await nextRound(round);
          if (!flooding) return;
          const before = replies(client);
          for (const kind of kinds) {
            client.send(
              typeof kind === 'string'
                ? kind
                : { ...kind, ...(kind.clientMsgId ? { clientMsgId: `${kind.clientMsgId}-${index}-${round}` } : {}) },
            );
          }
          tally.frames += kinds.length;
          // Every frame is answered: served or refused, never dropped.
          await waitFor(() => replies(client) - before >= kinds.length, {
            timeoutMs: budget(kinds.length),
            message: 'every flood frame answered',
          });
          tally.answered += replies(client) - before;
        }
      };
      const floodConnects = async () => {
        for (let round = pairSent; flooding; round++) {
          await nextRound(round);
          if (!flooding) return;
          const outcome = await tryConnect(floodToken);
          tally.attempts += 1;
          const key = outcome instanceof RawClient ? 'opened' : String(outcome);
          tally.refusedConnects[key] = (tally.refusedConnects[key] ?? 0) + 1;
          if (outcome instanceof RawClient) await outcome.close();
        }
      };
      const flood = Promise.all([...floodClients.map(floodSocket), floodConnects(), floodConnects()]);
      let loaded: number[];
      try {
        loaded = await exchange('flood', 100);
      } finally {
        flooding = false;
        await flood;
      }
      for (const client of floodClients) {
        for (const frame of client.frames)
          if (frame.type === 'error') tally.codes[String(frame.code)] = (tally.codes[String(frame.code)] ?? 0) + 1;
      }
      console.log(
        `abuse: pair ack latency over 100 messages, quiet: ${summary(quiet)}; under flood: ${summary(loaded)}. ` +
          `Flood: ${tally.frames} frames from ${floodClients.length} sockets (errors by code ${JSON.stringify(tally.codes)}), ` +
          `${tally.attempts} connection attempts (${JSON.stringify(tally.refusedConnects)})`,
      );
      expect(tally.answered).toBe(tally.frames);
      expect(tally.refusedConnects.opened ?? 0).toBe(0);
      expect(tally.codes.rate_limited ?? 0).toBeGreaterThan(0);
      // One step per ack, twice over: locally the flood shares the one process's CPU with the pair
      // (measured at load 10 on 2 cores: p99 3.1-3.9 s; quiet machine: about 1 s).
      expect(percentile(loaded, 99)).toBeLessThan(budget(2));
      await Promise.all([agent.close(), customer.close(), ...floodClients.map((client) => client.close())]);
    },
    budget(220),
  );
});
