import { describe, expect, it } from 'vitest';
import { ALL_FAULTS, formatReport, runChaos } from './chaos-run';

/**
 * The short chaos run inside `npm test` (the full one is `npm run chaos`): every fault on,
 * random disconnects and reloads, then the checker.
 */
describe('delivery guarantees under every fault', () => {
  it('loses, duplicates and reorders nothing, and settles every accepted send', { timeout: 60_000 }, async () => {
    const report = await runChaos({
      conversations: 10,
      messages: 150,
      secondDeviceShare: 0.5,
      reloadPerSecond: 0.05,
      maxPauseMs: 60,
      maxUnresolved: { overall: 24, perDevice: 4 },
      faults: ALL_FAULTS,
      seed: 4242,
      settleTimeoutMs: 30_000,
    });
    console.log(formatReport(report));
    expect(report.check.accepted).toBeGreaterThanOrEqual(150);
    expect(report.injectedFaults.total).toBeGreaterThan(0);
    expect(report.disconnects).toBeGreaterThan(0);
    expect(report.check.problems).toEqual([]);
    expect(report.check).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, unresolved: 0, ackedNotStored: 0, logDefects: 0 });
    expect(report.check.acked + report.check.failed).toBe(report.check.accepted);
  });
});
