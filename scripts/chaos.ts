import { parseArgs } from 'node:util';
import { ALL_FAULTS, formatReport, runChaos } from '../test/chaos/chaos-run';

const USAGE = `Usage: npm run chaos -- [--conversations N] [--messages N] [--seed N]

Runs Parley locally with every fault injected (dropped $disconnects, 410 and
LimitExceededException from the management API, slow deliveries, DynamoDB throttling,
duplicate SQS deliveries, connections cut at random) plus app reloads, drives conversations
both ways through the client library, syncs every device and checks that every acked message
is on every device of every participant exactly once and in order. Exits 1 on any defect.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '50' },
      messages: { type: 'string', default: '5000' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) {
      console.error(`--${name} must be a positive integer`);
      process.exit(2);
    }
    return value;
  };
  const seed = number('seed', values.seed);
  console.log(`chaos: seed ${seed}, faults ${JSON.stringify(ALL_FAULTS)}`);
  const report = await runChaos({
    conversations: number('conversations', values.conversations),
    messages: number('messages', values.messages),
    secondDeviceShare: 0.4,
    reloadPerSecond: 0.02,
    maxPauseMs: Number(process.env.CHAOS_PAUSE_MS ?? 2_000),
    faults: ALL_FAULTS,
    seed,
    settleTimeoutMs: Number(process.env.CHAOS_SETTLE_MS ?? 300_000),
    log: (line) => console.log(`chaos: ${line}`),
  });
  console.log(formatReport(report));
  const c = report.check;
  const clean = c.lost + c.duplicated + c.outOfOrder + c.unresolved + c.ackedNotStored + c.logDefects === 0;
  console.log(clean ? 'chaos: PASS' : 'chaos: FAIL');
  process.exit(clean ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error('chaos: the run itself failed:', error);
  process.exit(1);
});
