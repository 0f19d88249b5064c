import { fork } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../local/stack';
import { liftedLimits } from '../../local/tools/lifted-limits';
import { RawClient, postJson } from '../../local/tools/raw-client';

/**
 * The local stack's per-message cost, for profiling (issue 14): one customer and one agent,
 * messages sent one at a time (each waits for its ack and the agent's copy), the stack in
 * this process. Prints server CPU ms per message (process CPU over the measured loop) and
 * the ack latency percentiles.
 *
 *   npx tsx scripts/bench/local-profile.ts                     # 300 messages
 *   PROFILE_MESSAGES=100 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/local-profile.ts
 *   PROFILE_CPU_OUT=/tmp/loop.cpuprofile npx tsx scripts/bench/local-profile.ts   # the measured loop alone
 */
const MESSAGES = Number(process.env.PROFILE_MESSAGES ?? 300);
const WARMUP = Number(process.env.PROFILE_WARMUP ?? 30);
/** Idle customer connections to open afterwards to measure the stack's bytes per idle connection (needs --expose-gc). */
const IDLE_CONNECTIONS = Number(process.env.PROFILE_IDLE_CONNECTIONS ?? 0);
/** Write a CPU profile of the measured loop alone here (no start-up, warm-up or module loading in it). */
const CPU_PROFILE_OUT = process.env.PROFILE_CPU_OUT;

/** Profiles `run` with the inspector's sampling profiler when CPU_PROFILE_OUT is set. */
async function profiled<T>(run: () => Promise<T>): Promise<T> {
  if (!CPU_PROFILE_OUT) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(CPU_PROFILE_OUT, JSON.stringify(profile));
    session.disconnect();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const stack = await startLocalStack({
  httpPort: 0,
  wsPort: 0,
  demo: true,
  web: false,
  env: liftedLimits(),
});
try {
  const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
  const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Profile' });
  const agent = await RawClient.connect(stack.wsUrl, login.body.token);
  await agent.request({ action: 'status', status: 'online' }, ['status']);
  const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
  customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'p-0' });
  const conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
  await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId, 60_000);

  const send = async (index: number): Promise<number> => {
    const started = performance.now();
    const from = index % 2 === 0 ? customer : agent;
    const to = index % 2 === 0 ? agent : customer;
    const clientMsgId = `p-${index + 1}`;
    await from.request({ action: 'message', conversationId, clientMsgId, text: `Message ${index}` }, ['ack', 'error']);
    const ms = performance.now() - started;
    await to.next((frame) => frame.type === 'message' && frame.clientMsgId === clientMsgId);
    return ms;
  };
  for (let index = 0; index < WARMUP; index++) await send(index);
  // Requests per message, by service (SDK middleware, as npm run bench counts them).
  const requests: Record<string, number> = {};
  const { clients } = stack.wiring();
  for (const [service, client] of Object.entries(clients)) {
    (client as { middlewareStack: { add: (...args: unknown[]) => void } }).middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        requests[service] = (requests[service] ?? 0) + 1;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'localProfileCounter', priority: 'low' },
    );
  }
  const redisBefore = stack.redisCommandCount();
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await profiled(async () => {
    for (let index = WARMUP; index < WARMUP + MESSAGES; index++) latencies.push(await send(index));
  });
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    JSON.stringify({
      messages: MESSAGES,
      cpuMsPerMessage: Number((cpuMs / MESSAGES).toFixed(2)),
      wallMsPerMessage: Number((wallMs / MESSAGES).toFixed(2)),
      ackP50Ms: Number(percentile(latencies, 50).toFixed(2)),
      ackP99Ms: Number(percentile(latencies, 99).toFixed(2)),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
      requestsPerMessage: {
        ...Object.fromEntries(Object.entries(requests).map(([service, count]) => [service, Number((count / MESSAGES).toFixed(2))])),
        redisCommands: Number(((stack.redisCommandCount() - redisBefore) / MESSAGES).toFixed(2)),
      },
    }),
  );
  if (IDLE_CONNECTIONS > 0) console.log(JSON.stringify(await idleConnectionBytes(stack.httpUrl, stack.wsUrl, IDLE_CONNECTIONS)));
  await customer.close();
  await agent.close();
} finally {
  await stack.stop();
}

/** The stack's heap + external bytes per idle customer connection (clients in a child process). */
async function idleConnectionBytes(httpUrl: string, wsUrl: string, count: number): Promise<Record<string, number>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('PROFILE_IDLE_CONNECTIONS needs node --expose-gc');
  const tokens: string[] = [];
  for (let index = 0; index < count; index++)
    tokens.push((await postJson(`${httpUrl}/v1/auth/guest`, { name: `Idle ${index}` })).body.token);
  const measure = () => {
    gc();
    gc();
    const usage = process.memoryUsage();
    return { heap: usage.heapUsed + usage.external, rss: usage.rss };
  };
  const script = join(tmpdir(), `parley-idle-clients-${process.pid}.cjs`);
  await writeFile(
    script,
    `const WebSocket = require(${JSON.stringify(createRequire(import.meta.url).resolve('ws'))});
const [url, ...tokens] = process.argv.slice(2); let open = 0; const sockets = [];
for (const token of tokens) { const socket = new WebSocket(url + '?token=' + encodeURIComponent(token)); sockets.push(socket);
  socket.on('open', () => { if (++open === tokens.length) process.send('open'); }); socket.on('error', (error) => { console.error(error.message); process.exit(1); }); }
process.on('message', () => process.exit(0));`,
  );
  const before = measure();
  const child = fork(script, [wsUrl, ...tokens]);
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`idle clients exited with ${code}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = measure();
  child.send('done');
  return {
    idleConnections: count,
    heapBytesPerIdleConnection: Math.round((after.heap - before.heap) / count),
    rssBytesPerIdleConnection: Math.round((after.rss - before.rss) / count),
  };
}
