import { parseArgs } from 'node:util';
import { ALL_FAULTS, EXIT_CODES, exitCode, formatReport, runChaos, verdict } from './chaos/chaos-run';
import { TARGET_PROFILES } from './chaos/target-profiles';

const USAGE = `Usage: npm run chaos -- [--conversations N] [--messages N] [--seed N] [--pause-ms N]
                       [--per-agent N] [--installs N] [--max-unresolved N]
                       [--per-device N] [--stall-s N]
                       [--redis-flushes N] [--redis-kills N] [--redis-kill-s N] [--restarts N]
                       [--closes P] [--transfers P] [--status-flips N] [--offlines N] [--settle-s N]
                       [--no-routing] [--target NAME | --ws-url URL --http-url URL]

Runs Parley locally with every fault injected (dropped $disconnects, 410 and
LimitExceededException from the management API, slow deliveries, DynamoDB throttling,
duplicate SQS deliveries, connections cut at random), Redis flushes (every key lost) and
kills (unreachable for --redis-kill-s seconds, default 10), server restarts (the stack stopped
and started again on the same ports, DynamoDB kept on disk), app reloads and new installs that
sync from scratch, and routing traffic: agents close conversations and their customers start
new ones (--closes, the chance per send, default 0.01), transfer them to other agents
(--transfers, default 0.01), go away for a moment (--status-flips, default 6) and go offline
so their conversations are reassigned (--offlines, default 3). It drives conversations both
ways through the client library, syncs every device, audits the server's sync directly, and
checks that every acked message is on every device of every participant (the new agent's
after a transfer or reassignment) exactly once and in order, that no send was refused
forbidden or conflict, and that after --settle-s (default 90) seconds no conversation is
queued or held by an offline agent.

--messages (default 5000) is the total number of sends, split over --conversations (50);
each agent serves --per-agent conversations (2). Every participant signs in on --installs
new devices (default 1) during the traffic, each syncing the history so far from scratch.
The local stack runs everything in one process, so the driver paces its traffic: a
conversation sends only while fewer than --max-unresolved sends (default 32) are unacked
overall and fewer than --per-device (default 4) on the sending device, pausing up to
--pause-ms (default 500) between its sends.

A wait gives up once nothing has progressed for --stall-s seconds (default 120): the run
then stops, judges the sends against the stored log, and reports what it managed.

External stack: --ws-url and --http-url (or --target NAME, one of: ${Object.keys(TARGET_PROFILES).join(', ')})
run the client-side chaos against it; CHAOS_ADMIN_EMAIL and CHAOS_ADMIN_PASSWORD name an
admin who creates the run's staff (default: the demo admin of npm start). Faults that need the
local stack are skipped with the reason printed. REDIS_URL names a real Redis: the local stack
uses it, and against an external stack it is that stack's Redis, flushed and paused
(CLIENT PAUSE) for the Redis faults.

Exit codes: ${EXIT_CODES.passed} passed; ${EXIT_CODES.failed} a correctness failure (lost, duplicated, reordered,
wrongly refused, stranded, ...); ${EXIT_CODES.incomplete} incomplete (a wait stalled) with no failure
in what it checked.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '50' },
      messages: { type: 'string', default: '5000' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      'pause-ms': { type: 'string', default: '500' },
      'per-agent': { type: 'string', default: '2' },
      installs: { type: 'string', default: '1' },
      'max-unresolved': { type: 'string', default: '32' },
      'per-device': { type: 'string', default: '4' },
      'stall-s': { type: 'string', default: '120' },
      'redis-flushes': { type: 'string', default: '2' },
      'redis-kills': { type: 'string', default: '2' },
      'redis-kill-s': { type: 'string', default: '10' },
      restarts: { type: 'string', default: '1' },
      closes: { type: 'string', default: '0.01' },
      transfers: { type: 'string', default: '0.01' },
      'status-flips': { type: 'string', default: '6' },
      offlines: { type: 'string', default: '3' },
      'settle-s': { type: 'string', default: '90' },
      'no-routing': { type: 'boolean', default: false },
      target: { type: 'string' },
      'ws-url': { type: 'string' },
      'http-url': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const fail = (message: string): never => {
    console.error(message);
    process.exit(2);
  };
  const number = (name: string, raw: string, min = 1) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) fail(`--${name} must be an integer >= ${min}`);
    return value;
  };
  const chance = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 0.5) fail(`--${name} must be a chance from 0 to 0.5`);
    return value;
  };
  const profile = values.target === undefined ? undefined : TARGET_PROFILES[values.target];
  if (values.target !== undefined && !profile) fail(`--target must be one of ${Object.keys(TARGET_PROFILES).join(', ')}`);
  if ((values['ws-url'] === undefined) !== (values['http-url'] === undefined)) fail('--ws-url and --http-url go together');
  const target = profile ?? (values['ws-url'] ? { wsUrl: values['ws-url'], httpUrl: values['http-url']! } : undefined);
  const seed = number('seed', values.seed, 0);
  const redisUrl = process.env.REDIS_URL;
  console.log(`chaos: seed ${seed}, faults ${JSON.stringify(ALL_FAULTS)}${target ? `, target ${target.httpUrl}` : ''}`);
  const report = await runChaos({
    conversations: number('conversations', values.conversations),
    messages: number('messages', values.messages),
    conversationsPerAgent: number('per-agent', values['per-agent']),
    secondDeviceShare: 0.4,
    reloadPerSecond: 0.02,
    newInstallsPerParticipant: number('installs', values.installs, 0),
    maxPauseMs: number('pause-ms', values['pause-ms'], 0),
    maxUnresolved: { overall: number('max-unresolved', values['max-unresolved']), perDevice: number('per-device', values['per-device']) },
    faults: ALL_FAULTS,
    seed,
    stallTimeoutMs: number('stall-s', values['stall-s']) * 1000,
    stackFaults: {
      redisFlushes: number('redis-flushes', values['redis-flushes'], 0),
      redisKills: number('redis-kills', values['redis-kills'], 0),
      redisKillSeconds: number('redis-kill-s', values['redis-kill-s']),
      restarts: number('restarts', values.restarts, 0),
    },
    ...(values['no-routing']
      ? {}
      : {
          routing: {
            closeChance: chance('closes', values.closes),
            transferChance: chance('transfers', values.transfers),
            statusFlips: number('status-flips', values['status-flips'], 0),
            offlines: number('offlines', values.offlines, 0),
            settleMs: number('settle-s', values['settle-s'], 0) * 1000,
          },
        }),
    ...(target ? { target } : {}),
    ...(target
      ? {
          admin: {
            email: process.env.CHAOS_ADMIN_EMAIL ?? 'admin@example.com',
            password: process.env.CHAOS_ADMIN_PASSWORD ?? 'parley-demo',
          },
        }
      : {}),
    ...(redisUrl ? { redisUrl } : {}),
    log: (line) => console.log(`chaos: ${line}`),
  });
  console.log(formatReport(report));
  const reasons = verdict(report);
  for (const reason of reasons) console.log(`chaos: ${reason}`);
  const code = exitCode(report);
  console.log(code === EXIT_CODES.passed ? 'chaos: PASS' : code === EXIT_CODES.failed ? 'chaos: FAIL' : 'chaos: INCOMPLETE');
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error('chaos: the run itself failed:', error);
  process.exit(1);
});
