import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { REQUEUED_NOTICE } from '../../functions/services/routing';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { flushRedis } from '../support/redis-flush';
import { findRedisServer, freePort, startRedis } from '../support/redis-server';
import { NO_SCHEDULE_MS, routingQueueDrained } from '../support/local-stack';
import { loginAdmin, agentOnline as onlineAgent } from '../support/agents';
import { waitFor } from '../support/wait';

/**
 * Redis is a cache, DynamoDB the record (docs/routing.md "Redis is a cache"): after a FLUSHALL
 * while agents stay connected, presence and load come back from the record and live
 * heartbeats, and nothing is requeued because Redis forgot an agent. Reconcile runs only when
 * a test runs it; presence lasts GRACE_SECONDS without a heartbeat.
 */
const GRACE_SECONDS = 15;
const PASSWORD = 'redis-loss-1';
/** The route's rate-limit check, then the touch (one script that also says whether Redis knows the agent). */
const HEARTBEAT_REDIS_COMMANDS = 2;
const redisBinary = findRedisServer();
// The same story on the embedded engine and on a real Redis (skipped, not dropped, without redis-server).
const backends = [
  { name: 'embedded engine', realRedis: false },
  { name: 'real Redis', realRedis: true },
];

describe.each(backends)('losing Redis data ($name)', ({ realRedis }) => {
  if (realRedis && !redisBinary) {
    it.skip('needs redis-server on PATH (apt: redis-server)', () => undefined);
    return;
  }
  let stack: LocalStack;
  let adminToken: string;
  let redisProcess: ChildProcess | undefined;

  beforeAllOrFail(async () => {
    let redisUrl: string | undefined;
    if (realRedis && redisBinary) {
      const port = await freePort();
      redisProcess = await startRedis(redisBinary, port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    stack = await startLocalStack({
      skills: ['loss-a', 'loss-b', 'loss-c'],
      httpPort: 0,
      wsPort: 0,
      demo: true,
      web: false,
      env: { PRESENCE_GRACE_SECONDS: String(GRACE_SECONDS) },
      scheduleIntervalMs: NO_SCHEDULE_MS,
      ...(redisUrl ? { redisUrl } : {}),
    });
    adminToken = await loginAdmin(stack);
  }, STACK_START_MS);

  afterAll(async () => {
    await stack?.stop();
    redisProcess?.kill();
  });

  const agentOnline = (id: string, skill: string): Promise<RawClient> =>
    onlineAgent(stack, adminToken, { id, skill, password: PASSWORD, capacity: 2 });

  async function customerStarts(skill: string, agent: RawClient): Promise<{ client: RawClient; conversationId: string }> {
    const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: `Customer of ${skill}` });
    const client = await RawClient.connect(stack.wsUrl, body.token as string);
    await client.request({ action: 'sync' }, ['synced']);
    const started = await client.request({ action: 'start', skill, text: 'Hello?', clientMsgId: 'hello' }, ['conversation']);
    const conversationId = (started.conversation as { id: string }).id;
    await agent.waitFor(about('assigned', conversationId));
    return { client, conversationId };
  }

  const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
  const heartbeat = (client: RawClient) => client.request({ action: 'heartbeat' }, ['pong']);
  const presenceOf = (agentId: string) => stack.wiring().ports.presence.get(agentId);
  const requeuedNotice = (frame: Frame) => frame.type === 'message' && frame.text === REQUEUED_NOTICE;

  it(
    'a FLUSHALL while agents stay connected requeues nothing: state comes back from the record and heartbeats',
    async () => {
      const agentA = await agentOnline('loss-agent-a', 'loss-a');
      const agentB = await agentOnline('loss-agent-b', 'loss-b');
      const chats = [
        { agent: agentA, ...(await customerStarts('loss-a', agentA)) },
        { agent: agentA, ...(await customerStarts('loss-a', agentA)) },
        { agent: agentB, ...(await customerStarts('loss-b', agentB)) },
      ];
      await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });
      // A heartbeat in the normal case costs what it always did: its rate-limit check and one touch.
      stack.resetRedisCommandCount();
      await heartbeat(agentA);
      expect(stack.redisCommandCount()).toBe(HEARTBEAT_REDIS_COMMANDS);

      // Redis forgets; the heartbeat comes first: it puts the agent's status, skills, capacity and load back.
      await flushRedis(stack);
      await Promise.all([heartbeat(agentA), heartbeat(agentB)]);
      expect(await presenceOf('loss-agent-a')).toMatchObject({ status: 'online', skills: ['loss-a'], capacity: 2, load: 2 });
      expect(await presenceOf('loss-agent-b')).toMatchObject({ status: 'online', skills: ['loss-b'], capacity: 2, load: 1 });
      await stack.runScheduled('reconcile');
      expect(await presenceOf('loss-agent-a')).toMatchObject({ status: 'online', load: 2 });
      expect(await presenceOf('loss-agent-b')).toMatchObject({ status: 'online', load: 1 });

      // Redis forgets again; reconcile runs before any heartbeat: the record says online and the
      // agents hold live connections, so they get the grace instead of losing their chats.
      await flushRedis(stack);
      await stack.runScheduled('reconcile');
      await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });
      await Promise.all([heartbeat(agentA), heartbeat(agentB)]);
      await stack.runScheduled('reconcile');
      await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });

      for (const [index, chat] of chats.entries()) {
        const stored = await stack.wiring().ports.conversations.get(chat.conversationId);
        expect(stored).toMatchObject({ status: 'assigned' });
        const reply = await chat.agent.request(
          { action: 'message', conversationId: chat.conversationId, clientMsgId: `after-flush-${index}`, text: 'Still here.' },
          ['ack', 'error'],
        );
        expect(reply).toMatchObject({ type: 'ack' });
        expect(chat.client.frames.filter(requeuedNotice)).toEqual([]);
        expect(chat.client.frames.filter(about('queued', chat.conversationId))).toEqual([]);
      }
      expect(await presenceOf('loss-agent-a')).toMatchObject({ status: 'online', skills: ['loss-a'], capacity: 2, load: 2 });
      expect(await presenceOf('loss-agent-b')).toMatchObject({ status: 'online', skills: ['loss-b'], capacity: 2, load: 1 });
      for (const agent of [agentA, agentB]) {
        expect(agent.all('transferred')).toEqual([]);
        expect(agent.frames.filter((frame) => frame.type === 'status' && frame.status !== 'online')).toEqual([]);
      }
      await Promise.all([agentA.close(), agentB.close(), ...chats.map((chat) => chat.client.close())]);
    },
    budget(40),
  ); // 2 agents (5 steps each), 3 customers (5 steps each), 2 flushes, 4 heartbeats, 3 reconciles, 3 replies

  it(
    'an agent whose sync comes before any heartbeat after a FLUSHALL is restored by the sync, and hears so',
    async () => {
      const agent = await agentOnline('loss-agent-d', 'loss-a');
      const chat = await customerStarts('loss-a', agent);
      await waitFor(() => routingQueueDrained(stack), { timeoutMs: budget(2), message: 'routing settled' });

      // A device that reconnects more often than it heartbeats: its sync restores it (as a heartbeat would).
      await flushRedis(stack);
      const reply = await agent.request({ action: 'sync' }, ['synced', 'error']);
      expect(reply).toMatchObject({ type: 'synced' });
      expect(await presenceOf('loss-agent-d')).toMatchObject({ status: 'online', skills: ['loss-a'], capacity: 2, load: 1 });
      await agent.waitFor((frame) => frame.type === 'status' && frame.status === 'online' && frame.reason === 'restored', budget(1));
      await Promise.all([agent.close(), chat.client.close()]);
    },
    budget(12),
  ); // agent (5 steps), customer (5), flush, sync, status

  it(
    'an agent who really stops heartbeating is made offline, is told so, and comes back online on its next heartbeat',
    async () => {
      const agent = await agentOnline('loss-agent-c', 'loss-c');
      const chat = await customerStarts('loss-c', agent);

      await flushRedis(stack);
      await stack.runScheduled('reconcile');
      // The grace runs out without a heartbeat: a later reconcile's sweep takes the agent offline
      // and tells its connection (`lapsed`: the server decided, so the console keeps the agent's
      // choice). Waiting on the frame, not the presence: an expired presence reads offline before
      // the sweep that acts on it has run.
      const lapsed = (frame: { type: string; status?: unknown; reason?: unknown }) =>
        frame.type === 'status' && frame.status === 'offline' && frame.reason === 'lapsed';
      await waitFor(
        async () => {
          await stack.runScheduled('reconcile');
          return agent.frames.some(lapsed);
        },
        { timeoutMs: GRACE_SECONDS * 1000 + budget(3), intervalMs: 1_000, message: 'the silent agent was told it is offline' },
      );
      expect(await presenceOf('loss-agent-c')).toMatchObject({ status: 'offline' });
      await chat.client.waitFor(requeuedNotice, budget(2));

      // Its connection is alive and it chose online: its next heartbeat puts it back, and it hears so.
      await heartbeat(agent);
      expect(await presenceOf('loss-agent-c')).toMatchObject({ status: 'online', skills: ['loss-c'], capacity: 2 });
      await agent.waitFor((frame) => frame.type === 'status' && frame.status === 'online' && frame.reason === 'restored', budget(1));
      expect(agent.all('status').at(-1)).toMatchObject({ status: 'online', reason: 'restored' });
      await Promise.all([agent.close(), chat.client.close()]);
    },
    budget(16, GRACE_SECONDS * 1000),
  ); // agent (5 steps), customer (5), flush, reconciles, the grace, requeue, heartbeat, status
});
