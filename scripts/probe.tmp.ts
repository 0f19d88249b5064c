import { formatReport, runChaos } from '../test/chaos/chaos-run';
async function main() {
  const report = await runChaos({ conversations: 16, messages: 800, secondDeviceShare: 0.4, reloadPerSecond: 0, maxPauseMs: 400, faults: JSON.parse(process.argv[2] ?? '{}'), seed: 3, settleTimeoutMs: 60_000, log: (l) => console.log(l) });
  console.log(formatReport(report));
}
void main();
