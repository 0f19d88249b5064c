import { parseArgs } from 'node:util';
import { ALL_FAULTS, formatReport, runChaos } from '../test/chaos/chaos-run';

const USAGE = `Usage: npm run chaos -- [--conversations N] [--messages N] [--seed N] [--pause-ms N]
                       [--max-unresolved N] [--per-device N] [--settle-s N]

Runs Parley locally with every fault injected (dropped $disconnects, 410 and
LimitExceededException from the management API, slow deliveries, DynamoDB throttling,
duplicate SQS deliveries, connections cut at random) plus app reloads, drives conversations
both ways through the client library, syncs every device and checks that every acked message
is on every device of every participant exactly once and in order. Exits 1 on any defect.
The local stack runs everything in one process, so the driver paces its traffic: a
conversation sends only while fewer than --max-unresolved sends (default 32) are unacked
overall and fewer than --per-device (default 4) on the sending device, pausing up to
--pause-ms (default 500) between its sends.
--settle-s bounds the wait for sends to settle and devices to catch up (default 300).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: '50' },
      messages: { type: 'string', default: '5000' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      'pause-ms': { type: 'string', default: '500' },
      'max-unresolved': { type: 'string', default: '32' },
      'per-device': { type: 'string', default: '4' },
      'settle-s': { type: 'string', default: '300' },
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
    maxPauseMs: number('pause-ms', values['pause-ms']),
    maxUnresolved: { overall: number('max-unresolved', values['max-unresolved']), perDevice: number('per-device', values['per-device']) },
    faults: ALL_FAULTS,
    seed,
    settleTimeoutMs: number('settle-s', values['settle-s']) * 1000,
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
