import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { REQUEUED_NOTICE } from '../../functions/services/routing';
import { beforeAllOrFail, STACK_START_MS, STEP_MS } from '../support/setup';

/**
 * 3 agents, 20 customers: agents close what they get, one agent drops off mid-conversation
 * (its socket closes, its heartbeats stop). Presence expires after GRACE_SECONDS here (agents
 * beat every 500 ms, a twentieth of it, so a starved event loop does not expire a working
 * agent), and the sweep runs every 500 ms, so its conversations go back to the front of their
 * queues.
 */
let stack: LocalStack;
const CAPACITY = 2;
const CUSTOMERS = 20;
const GRACE_SECONDS = 10;
const SWEEP_MS = 500;
/** One request or frame while the agents' heartbeats and routing share the machine with the rest of the suite. */
const SLOW_MS = 3 * STEP_MS;
/** One request or frame of a customer among all of them starting at once: the stack may serve them one by one. */
const CROWD_MS = CUSTOMERS * STEP_MS;
/**
 * Serving everyone: the drop must be noticed (grace plus a sweep), then in the worst case the
 * conversations are served one after another, each routed, assigned and closed (3 steps).
 */
const SERVE_MS = GRACE_SECONDS * 1000 + SWEEP_MS + CUSTOMERS * 3 * STEP_MS;
/**
 * The test's sequential waits: admin login and 3 agents created (4), the dropper online (3),
 * 2 customers one by one (3 each) and their assignment (1), 2 agents online (3 each), 18
 * customers at once (3), serving everyone, the supervisor's view (2) and closing (1).
 */
const TEST_MS = (4 + 3 + 6 + 1 + 6 + 2 + 1) * SLOW_MS + 3 * CROWD_MS + SERVE_MS;

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    env: { PRESENCE_GRACE_SECONDS: String(GRACE_SECONDS) },
    scheduleIntervalMs: SWEEP_MS,
  });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

interface AgentSession {
  readonly id: string;
  readonly client: RawClient;
  readonly heartbeat: NodeJS.Timeout;
  /** Conversations this agent holds now, per the frames it received. */
  readonly open: Set<string>;
  peak: number;
}

async function adminToken(): Promise<string> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
  return body.token as string;
}

async function agentOnline(id: string, email: string, closeAfterMs: number | undefined): Promise<AgentSession> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'load-test-1' });
  const client = await RawClient.connect(stack.wsUrl, body.token);
  await client.request({ action: 'sync' }, ['synced'], SLOW_MS);
  const session: AgentSession = {
    id,
    client,
    heartbeat: setInterval(() => client.isOpen && client.send({ action: 'heartbeat' }), 500),
    open: new Set(),
    peak: 0,
  };
  const seen = new WeakSet<Frame>();
  const watch = (frame: Frame) => {
    if (seen.has(frame)) return false;
    seen.add(frame);
    const conversationId = String(frame.conversationId ?? '');
    if (frame.type === 'assigned' && (frame.agent as { id: string }).id === id) {
      session.open.add(conversationId);
      session.peak = Math.max(session.peak, session.open.size);
      if (closeAfterMs !== undefined) setTimeout(() => client.isOpen && client.send({ action: 'close', conversationId }), closeAfterMs);
    }
    if (frame.type === 'closed' || frame.type === 'transferred') session.open.delete(conversationId);
    return false;
  };
  // waitFor's predicate sees every frame (again on each arrival, hence `seen`); it never matches, so it watches until closed
  // (or the test's own time is up).
  void client.waitFor(watch, TEST_MS).catch(() => undefined);
  await client.request({ action: 'status', status: 'online' }, ['status'], SLOW_MS);
  return session;
}

async function customerStarts(index: number, skill: string, stepMs = SLOW_MS): Promise<{ client: RawClient; conversationId: string }> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: `Customer ${index}` });
  const client = await RawClient.connect(stack.wsUrl, body.token);
  await client.request({ action: 'sync' }, ['synced'], stepMs);
  const reply = await client.request(
    { action: 'start', skill, text: `Hello from ${index}`, clientMsgId: `c${index}` },
    ['conversation'],
    stepMs,
  );
  return { client, conversationId: (reply.conversation as { id: string }).id };
}

describe('routing load on the local stack', () => {
  it(
    'serves 20 customers with 3 agents, through closes and an agent dropping off, within capacity and in order',
    async () => {
      const admin = await adminToken();
      const specs = [
        { id: 'load-a1', skills: ['billing'] },
        { id: 'load-a2', skills: ['billing', 'tech'] },
        { id: 'load-a3', skills: ['tech'] },
      ];
      for (const spec of specs) {
        const created = await postJson(
          `${stack.httpUrl}/v1/agents`,
          { id: spec.id, email: `${spec.id}@example.com`, name: spec.id, password: 'load-test-1', skills: spec.skills, capacity: CAPACITY },
          admin,
        );
        expect(created.status).toBe(201);
      }

      // The agent that will drop off goes online first and alone gets the first two tech customers.
      const dropper = await agentOnline('load-a3', 'load-a3@example.com', undefined);
      const customers = [await customerStarts(0, 'tech'), await customerStarts(1, 'tech')];
      const workers: AgentSession[] = [];
      try {
        await Promise.all(
          customers.map(({ client, conversationId }) =>
            client.waitFor((f) => f.type === 'assigned' && f.conversationId === conversationId, SLOW_MS),
          ),
        );
        const dropped = customers.map((customer) => customer.conversationId);

        workers.push(await agentOnline('load-a1', 'load-a1@example.com', 150), await agentOnline('load-a2', 'load-a2@example.com', 150));
        const skills = ['general', 'billing', 'tech'];
        customers.push(
          ...(await Promise.all(Array.from({ length: CUSTOMERS - 2 }, (_, i) => customerStarts(i + 2, skills[i % 3]!, CROWD_MS)))),
        );

        // Drop off mid-conversation: no close, no status, no more heartbeats.
        clearInterval(dropper.heartbeat);
        await dropper.client.close();

        // Every customer is served and their conversation closed by an agent.
        await Promise.all(
          customers.map(({ client, conversationId }) =>
            client.waitFor((f) => f.type === 'closed' && f.conversationId === conversationId, SERVE_MS),
          ),
        );

        for (const { client, conversationId } of customers) {
          const assigned = client.all('assigned').filter((f) => f.conversationId === conversationId);
          const wasDropped = dropped.includes(conversationId);
          // Assigned once, or twice when its first agent dropped off (and it was told).
          expect(assigned).toHaveLength(wasDropped ? 2 : 1);
          if (wasDropped) {
            expect(client.all('message').some((f) => f.text === REQUEUED_NOTICE)).toBe(true);
            expect((assigned[1]!.agent as { id: string }).id).toBe('load-a2');
          }
        }
        for (const worker of workers) expect(worker.peak).toBeLessThanOrEqual(CAPACITY);
        expect(dropper.peak).toBeLessThanOrEqual(CAPACITY);

        // Customers who waited were told their position, and positions only ever improved.
        const waited = customers.filter(({ client }) => client.all('queued').length > 0);
        expect(waited.length).toBeGreaterThan(0);
        for (const { client, conversationId } of waited) {
          const positions = client
            .all('queued')
            .filter((f) => f.conversationId === conversationId)
            .map((f) => Number(f.position));
          expect(positions.every((position) => position >= 1)).toBe(true);
        }

        // Nothing waits; the supervisor's view agrees.
        const supervisor = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'supervisor@example.com', password: 'parley-demo' });
        const queues = await getJson(`${stack.httpUrl}/v1/queues`, supervisor.body.token);
        expect(queues.status).toBe(200);
        for (const queue of queues.body.queues) expect(queue).toMatchObject({ depth: 0, oldestWaitSeconds: 0 });
        expect(queues.body.queues.find((q: { skill: string }) => q.skill === 'tech')).toMatchObject({ agentsOnline: 1 });
      } finally {
        for (const session of [dropper, ...workers]) clearInterval(session.heartbeat);
        await Promise.all([
          ...customers.map(({ client }) => client.close()),
          ...[dropper, ...workers].map((session) => session.client.close()),
        ]);
      }
    },
    TEST_MS,
  );
});
