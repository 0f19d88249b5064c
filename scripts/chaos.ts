import { parseArgs } from 'node:util';
import { ALL_FAULTS, formatReport, runChaos, verdict } from './chaos/chaos-run';

const USAGE = `Usage: npm run chaos -- [--conversations N] [--messages N] [--seed N] [--pause-ms N]
                       [--per-agent N] [--installs N] [--max-unresolved N]
                       [--per-device N] [--stall-s N]

Runs Parley locally with every fault injected (dropped $disconnects, 410 and
LimitExceededException from the management API, slow deliveries, DynamoDB throttling,
duplicate SQS deliveries, connections cut at random) plus app reloads and new installs that
sync from scratch, drives conversations both ways through the client library, syncs every
device, audits the server's sync directly, and checks that every acked message is on every
device of every participant exactly once and in order. Exits 1 on any defect, a failed send
with a code the run cannot legitimately cause, or fewer than 90% of sends acked.

--messages (default 5000) is the total number of sends, split over --conversations (50);
each agent serves --per-agent conversations (2). Every participant signs in on --installs
new devices (default 1) during the traffic, each syncing the history so far from scratch.
The local stack runs everything in one process, so the driver paces its traffic: a
conversation sends only while fewer than --max-unresolved sends (default 32) are unacked
overall and fewer than --per-device (default 4) on the sending device, pausing up to
--pause-ms (default 500) between its sends.
A wait gives up once nothing has progressed for --stall-s seconds (default 120).`;

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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (name: string, raw: string, min = 1) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be an integer >= ${min}`);
      process.exit(2);
    }
    return value;
  };
  const seed = number('seed', values.seed, 0);
  console.log(`chaos: seed ${seed}, faults ${JSON.stringify(ALL_FAULTS)}`);
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
    log: (line) => console.log(`chaos: ${line}`),
  });
  console.log(formatReport(report));
  const reasons = verdict(report);
  for (const reason of reasons) console.log(`chaos: ${reason}`);
  console.log(reasons.length === 0 ? 'chaos: PASS' : 'chaos: FAIL');
  process.exit(reasons.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error('chaos: the run itself failed:', error);
  process.exit(1);
});
