import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, startLocalStack, type LocalStack } from '../../../local/stack';
import { RawClient, postJson, type Frame } from '../../../local/tools/raw-client';
import { startRedisSwitch, type RedisSwitch } from '../../support/redis-switch';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../../support/setup';

/**
 * Issue 15: a stored change is announced even when what follows the write fails. A close
 * during a Redis outage is stored and answered `unavailable`; its retry (same action, Redis
 * back) must still tell the agent and free its capacity. And `closed` reaches the agent before
 * the capacity it frees is offered: at capacity 1 the next `assigned` comes after it.
 */
const UPSTASH_SECRET = 'parley/upstash-behind-switch';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** Redis cut off: each call waits out the Upstash client's retries before failing. */
const OUTAGE_STEP_MS = 3 * STEP_MS;

let stack: LocalStack;
let redis: RedisSwitch;

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    web: false,
    skills: ['outage', 'order'],
    env: { UPSTASH_SECRET_ID: UPSTASH_SECRET },
  });
  // Handlers read the Upstash secret on first use: point it at a switch in front of the real endpoint.
  redis = await startRedisSwitch(stack.endpoints.upstash);
  const secrets = new SecretsManagerClient({ endpoint: stack.endpoints.secretsManager, region: LOCAL_REGION, credentials });
  const own = await secrets.send(new GetSecretValueCommand({ SecretId: 'parley/upstash' }));
  const { token } = JSON.parse(own.SecretString ?? '{}') as { token: string };
  await secrets.send(new CreateSecretCommand({ Name: UPSTASH_SECRET, SecretString: JSON.stringify({ url: redis.url, token }) }));
}, STACK_START_MS + budget(3));

afterAll(async () => {
  await stack?.stop();
  await redis?.close();
});

const opened: RawClient[] = [];
afterAll(async () => {
  await Promise.all(opened.map((client) => client.close()));
});

async function adminToken(): Promise<string> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
  return body.token as string;
}

/** A new agent of `skill` at capacity 1, online on one connection. */
async function agentOnline(id: string, skill: string): Promise<RawClient> {
  const created = await postJson(
    `${stack.httpUrl}/v1/agents`,
    { id, email: `${id}@example.com`, name: id, password: 'close-test-1', skills: [skill], capacity: 1 },
    await adminToken(),
  );
  expect(created.status).toBe(201);
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `${id}@example.com`, password: 'close-test-1' });
  const client = await RawClient.connect(stack.wsUrl, body.token);
  opened.push(client);
  await client.request({ action: 'sync' }, ['synced'], STEP_MS);
  await client.request({ action: 'status', status: 'online' }, ['status'], STEP_MS);
  return client;
}

async function customerStarts(skill: string, name: string): Promise<{ client: RawClient; conversationId: string }> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  const client = await RawClient.connect(stack.wsUrl, body.token);
  opened.push(client);
  await client.request({ action: 'sync' }, ['synced'], STEP_MS);
  const reply = await client.request(
    { action: 'start', skill, text: `Hello from ${name}`, clientMsgId: `${name}-1` },
    ['conversation'],
    STEP_MS,
  );
  return { client, conversationId: (reply.conversation as { id: string }).id };
}

const about =
  (type: string, conversationId: string) =>
  (frame: Frame): boolean =>
    frame.type === type && frame.conversationId === conversationId;

describe('every close is announced', () => {
  it(
    'a close answered unavailable during a Redis outage is announced and frees capacity when retried',
    async () => {
      const agent = await agentOnline('close-outage', 'outage');
      const first = await customerStarts('outage', 'outage-1');
      await agent.waitFor(about('assigned', first.conversationId), STEP_MS);

      redis.setReachable(false);
      try {
        const refused = await first.client.request({ action: 'close', conversationId: first.conversationId }, ['error'], OUTAGE_STEP_MS);
        expect(refused).toMatchObject({ code: 'unavailable', conversationId: first.conversationId });
      } finally {
        redis.setReachable(true);
      }
      expect(redis.cut).toBeGreaterThan(0);

      // The client retries the same close once Redis is back.
      await first.client.request({ action: 'close', conversationId: first.conversationId }, ['closed'], STEP_MS);
      await agent.waitFor(about('closed', first.conversationId), STEP_MS);
      // The retry gave the capacity back: the next customer reaches the same agent (capacity 1).
      const second = await customerStarts('outage', 'outage-2');
      await agent.waitFor(about('assigned', second.conversationId), 2 * STEP_MS);
    },
    budget(12, 2 * OUTAGE_STEP_MS),
  );

  it.each(['agent', 'customer'] as const)(
    'an agent at capacity 1 hears closed before it is handed the next conversation (the %s closes)',
    async (closer) => {
      const agent = await agentOnline(`close-order-${closer}`, 'order');
      const first = await customerStarts('order', `order-${closer}-1`);
      await agent.waitFor(about('assigned', first.conversationId), STEP_MS);
      const second = await customerStarts('order', `order-${closer}-2`);
      await second.client.waitFor(about('queued', second.conversationId), STEP_MS);

      (closer === 'agent' ? agent : first.client).send({ action: 'close', conversationId: first.conversationId });
      await agent.waitFor(about('assigned', second.conversationId), 2 * STEP_MS);
      const closedAt = agent.frames.findIndex(about('closed', first.conversationId));
      const assignedAt = agent.frames.findIndex(about('assigned', second.conversationId));
      expect(closedAt).toBeGreaterThanOrEqual(0);
      expect(closedAt).toBeLessThan(assignedAt);
    },
    budget(10),
  );
});
