import { SignJWT } from 'jose';
import { type LocalStack, startLocalStack } from '../local/stack';
import { RawClient, postJson, putJson } from '../local/tools/raw-client';
import { RequestCounter, type Service } from './bench/request-counter';

/**
 * Routing numbers for `npm run bench`, on the stack the main bench started:
 *  1. Redis commands and DynamoDB requests the router makes per routing decision, counted
 *     by client middleware while conversations are routed one at a time.
 *  2. Start-to-assigned latency (p50, p99) for 200 customers starting at once, with 10
 *     agents of capacity 25 online (room for all of them: no wait is by design). Customers sign
 *     in as identified customers (the site key of the local stack), so the per-IP guest-token
 *     limit does not shape the numbers. Beside the latency, what does not depend on the
 *     machine's load: the router's invocations and triggers per invocation, the burst's CPU
 *     per conversation (every function and client shares this process's thread, so the
 *     burst's latency is mostly that CPU queued), and each function's requests per conversation.
 */
const CONCURRENT_STARTS = 200;
const AGENTS = 10;
// Room for the sequential conversations (kept open) and the whole burst.
const AGENT_CAPACITY = 25;
const SEQUENTIAL_DECISIONS = 10;

export interface RoutingBenchOptions {
  readonly stack: LocalStack;
  readonly counter: RequestCounter;
  /** Waits until every function (the router included) is idle. */
  readonly settle: () => Promise<void>;
}

/**
 * Waits until every function the counter sees (the router included) is idle: idle twice in a
 * row 50 ms apart, as the router may pick up a trigger in between.
 */
export function settleOf(counter: RequestCounter): () => Promise<void> {
  return async () => {
    let quiet = 0;
    while (quiet < 2) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      quiet = counter.inFlight === 0 ? quiet + 1 : 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    while (counter.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function customerToken(stack: LocalStack, id: string): Promise<string> {
  return new SignJWT({ name: `Bench customer ${id}` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(id)
    .setIssuer(stack.identifiedCustomer.issuer)
    .setAudience(stack.identifiedCustomer.audience)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(stack.identifiedCustomer.key));
}

async function agentsOnline(stack: LocalStack, run: string): Promise<RawClient[]> {
  const admin = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
  const clients: RawClient[] = [];
  // Only configured skills can be served and started.
  const configured = await putJson(`${stack.httpUrl}/v1/skills/bench`, { names: { en: 'Bench' } }, admin.body.token);
  if (configured.status !== 200) throw new Error(`Could not configure skill bench: ${JSON.stringify(configured.body)}`);
  for (let index = 0; index < AGENTS; index++) {
    const id = `bench-${run}-${index}`;
    const email = `${id}@example.com`;
    const created = await postJson(
      `${stack.httpUrl}/v1/agents`,
      { id, email, name: id, password: 'bench-password', skills: ['bench'], capacity: AGENT_CAPACITY },
      admin.body.token,
    );
    if (created.status !== 201) throw new Error(`Could not create agent ${id}: ${JSON.stringify(created.body)}`);
    const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'bench-password' });
    const client = await RawClient.connect(stack.wsUrl, login.body.token);
    await client.request({ action: 'status', status: 'online' }, ['status']);
    clients.push(client);
  }
  return clients;
}

async function startAndWaitAssigned(stack: LocalStack, id: string): Promise<{ client: RawClient; ms: number; replyMs: number }> {
  const client = await RawClient.connect(stack.wsUrl, await customerToken(stack, id));
  const started = performance.now();
  const reply = await client.request({ action: 'start', skill: 'bench', text: 'Hello', clientMsgId: 'b1' }, ['conversation'], 60_000);
  const replyMs = performance.now() - started;
  const conversationId = (reply.conversation as { id: string }).id;
  await client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId, 120_000);
  return { client, ms: performance.now() - started, replyMs };
}

/** Runs the routing benchmark; returns its report (a Markdown table) for the caller to print. */
export async function benchRouting({ stack, counter, settle }: RoutingBenchOptions): Promise<string> {
  const run = Date.now().toString(36);
  const agents = await agentsOnline(stack, run);
  // As the console does: without heartbeats the agents' presence lapses (PRESENCE_GRACE_SECONDS)
  // when the bench runs long on a slow machine, and the burst waits for agents who are gone.
  // Heartbeats run as their own function, so the router's counts below do not include them.
  const heartbeat = setInterval(() => {
    for (const agent of agents) if (agent.isOpen) agent.send({ action: 'heartbeat' });
  }, stack.wiring().config.HEARTBEAT_SECONDS * 1000);

  // 1. Per decision: one start at a time, each routed alone; only the router's requests count.
  const routerTotals: Record<Service, number> = { dynamodb: 0, sqs: 0, managementApi: 0, redis: 0 };
  const sequential: RawClient[] = [];
  const alone: number[] = [];
  for (let index = 0; index < SEQUENTIAL_DECISIONS; index++) {
    await settle();
    counter.take();
    const started = await startAndWaitAssigned(stack, `seq-${run}-${index}`);
    sequential.push(started.client);
    alone.push(started.ms);
    await settle();
    const router = counter.take().get('router');
    for (const service of Object.keys(routerTotals) as Service[]) routerTotals[service] += router?.[service] ?? 0;
  }
  const per = (service: Service) => (routerTotals[service] / SEQUENTIAL_DECISIONS).toFixed(1);
  alone.sort((a, b) => a - b);

  // 2. Latency under a burst of concurrent starts.
  await settle();
  counter.take();
  counter.takeInvocations();
  const burstStarted = performance.now();
  const cpuBefore = process.cpuUsage();
  const results = await Promise.all(
    Array.from({ length: CONCURRENT_STARTS }, (_, index) => startAndWaitAssigned(stack, `burst-${run}-${index}`)),
  );
  const burstMs = performance.now() - burstStarted;
  const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
  const replies = results.map((result) => result.replyMs).sort((a, b) => a - b);
  // After the start's reply: the part routing adds (the router may even assign before the reply).
  const routing = results.map((result) => Math.max(0, result.ms - result.replyMs)).sort((a, b) => a - b);
  await settle();
  // The local stack runs every function on this one process's thread, as the clients do: the
  // burst's latency is mostly this CPU queued (on AWS each invocation has a CPU of its own).
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerStart = (cpu.user + cpu.system) / 1000 / CONCURRENT_STARTS;
  // Under the burst: concurrent routers racing for the same heads would show up here.
  const burstCounts = counter.take();
  const burstRouter = burstCounts.get('router');
  const perBurst = (service: Service) => ((burstRouter?.[service] ?? 0) / CONCURRENT_STARTS).toFixed(1);
  const invocations = counter.takeInvocations();
  const routerRuns = invocations.get('router') ?? { invocations: 0, records: 0 };
  // Where the burst's requests went, per function (each row: per started conversation).
  const byFunction = [...burstCounts]
    .filter(([, counts]) => Object.values(counts).some((count) => count > 0))
    .sort(([, a], [, b]) => b.dynamodb - a.dynamodb)
    .map(([fn, counts]): [string, string] => [
      `burst: ${fn} (${invocations.get(fn)?.invocations ?? 0} invocations) DynamoDB / SQS / management-API / Redis per conversation`,
      `${(counts.dynamodb / CONCURRENT_STARTS).toFixed(1)} / ${(counts.sqs / CONCURRENT_STARTS).toFixed(1)} / ${(counts.managementApi / CONCURRENT_STARTS).toFixed(1)} / ${(counts.redis / CONCURRENT_STARTS).toFixed(1)}`,
    ]);

  const rows: Array<[string, string]> = [
    ['router Redis commands per routed conversation', per('redis')],
    ['router DynamoDB requests per routed conversation', per('dynamodb')],
    ['router management-API posts per routed conversation', per('managementApi')],
    ['router SQS sends per routed conversation', per('sqs')],
    [
      `start to assigned, one start at a time, p50 / max (${SEQUENTIAL_DECISIONS} starts)`,
      `${percentile(alone, 50).toFixed(0)} / ${percentile(alone, 100).toFixed(0)} ms`,
    ],
    [`start to assigned, p50 (${CONCURRENT_STARTS} concurrent starts)`, `${percentile(latencies, 50).toFixed(0)} ms`],
    [`start to assigned, p99 (${CONCURRENT_STARTS} concurrent starts)`, `${percentile(latencies, 99).toFixed(0)} ms`],
    [
      `start to its \`conversation\` reply, p50 / p99 (same burst)`,
      `${percentile(replies, 50).toFixed(0)} / ${percentile(replies, 99).toFixed(0)} ms`,
    ],
    [
      `start's reply to assigned, p50 / p99 (same burst)`,
      `${percentile(routing, 50).toFixed(0)} / ${percentile(routing, 99).toFixed(0)} ms`,
    ],
    [`all ${CONCURRENT_STARTS} connected, started and assigned after`, `${burstMs.toFixed(0)} ms`],
    [
      'router DynamoDB / Redis / management-API per conversation (same burst)',
      `${perBurst('dynamodb')} / ${perBurst('redis')} / ${perBurst('managementApi')}`,
    ],
    [
      'router invocations in the burst, triggers per invocation',
      `${routerRuns.invocations}, ${(routerRuns.records / Math.max(1, routerRuns.invocations)).toFixed(1)}`,
    ],
    ['burst CPU per started conversation (stack and clients, one thread)', `${cpuMsPerStart.toFixed(0)} ms`],
    ...byFunction,
  ];
  clearInterval(heartbeat);
  await Promise.all([
    ...results.map((result) => result.client.close()),
    ...sequential.map((client) => client.close()),
    ...agents.map((client) => client.close()),
  ]);
  return ['\nRouting (local stack)\n', '| measure | value |', '|---|---:|', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join(
    '\n',
  );
}

/**
 * Alone (without the rest of `npm run bench`): `npx tsx scripts/bench-routing.ts`, on a stack of
 * its own started as the bench starts it. Profile it with
 * `node --cpu-prof --cpu-prof-dir DIR --import tsx scripts/bench-routing.ts`.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const counter = new RequestCounter();
  const stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, instrument: counter.instrument });
  const { clients } = stack.wiring();
  counter.attach(clients.dynamodb, 'dynamodb');
  counter.attach(clients.sqs, 'sqs');
  counter.attach(clients.managementApi, 'managementApi');
  const restoreFetch = counter.countUpstashCommands(stack.endpoints.upstash);
  try {
    console.log(await benchRouting({ stack, counter, settle: settleOf(counter) }));
  } finally {
    restoreFetch();
    await stack.stop();
  }
}
