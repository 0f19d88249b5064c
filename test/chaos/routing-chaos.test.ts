import { describe, expect, it } from 'vitest';
import { ALL_FAULTS, type ChaosOptions, formatReport, runChaos, verdict } from '../../scripts/chaos/chaos-run';

/**
 * The short routing chaos run inside `npm test` (the full one is `npm run chaos`): every
 * injected fault, a Redis flush and a Redis outage while agents stay connected, and routing
 * traffic (agents close conversations and their customers start new ones, transfers, an
 * agent going away and one going offline so its conversations are reassigned). Every send is
 * made by a current participant, so a send refused `forbidden` or `conflict` fails it; so does
 * a conversation left queued or held by an offline agent once things settled, and the new
 * agent's devices must hold the whole history of what they took over.
 */
const OPTIONS: ChaosOptions = {
  conversations: 4,
  conversationsPerAgent: 2,
  messages: 160,
  secondDeviceShare: 0.5,
  reloadPerSecond: 0.05,
  newInstallsPerParticipant: 0,
  maxPauseMs: 40,
  maxUnresolved: { overall: 16, perDevice: 4 },
  faults: ALL_FAULTS,
  seed: 1515,
  // Longer than the slowest designed recovery after these faults: an idle agent Redis forgot
  // comes back on its next heartbeat (30 s), a claim a failed write left is taken back after
  // the compressed claim age (router timeout + 5 s) and the next reconcile (5 s), then routing.
  // At 60 s, an offline agent's chats waiting on both after a flush were cut off mid-recovery.
  stallTimeoutMs: 120_000,
  stackFaults: { redisFlushes: 1, redisKills: 1, redisKillSeconds: 4, restarts: 0 },
  routing: { closeChance: 0.03, transferChance: 0.03, statusFlips: 1, offlines: 1, settleMs: 20_000 },
  // Reconciliation and the presence sweep every 5 s instead of every minute, so whatever they
  // do after the Redis faults happens within the settle period.
  scheduleIntervalMs: 5_000,
};

/**
 * Budgets for a loaded 2-core CI box: they bound a hang, never a passing run. Setup, each
 * message's share of the work, the settle period, then the stalls a failing run may wait out
 * (routing changes that never land, sends settling, catching up, the audit).
 */
const TIMEOUT_MS = 120_000 + OPTIONS.messages * 1_000 + 2 * OPTIONS.routing!.settleMs + 6 * OPTIONS.stallTimeoutMs;

describe('routing under Redis loss, Redis outages and routing traffic', () => {
  it('refuses no valid send, strands no conversation, and loses nothing', { timeout: TIMEOUT_MS }, async () => {
    const report = await runChaos(OPTIONS);
    // The whole report goes with every assertion: a failure in CI then says what happened.
    const told = formatReport(report);
    console.log(told);
    expect(report.stackFaults, told).toMatchObject({ redisFlushes: 1, redisKills: 1 });
    expect(report.routing!.closes + report.routing!.transfers, told).toBeGreaterThan(0);
    expect(report.routing!.offlines, told).toBe(1);
    expect(report.incomplete, told).toBeUndefined();
    expect(report.check.problems, told).toEqual([]);
    expect(report.check, told).toMatchObject({ wronglyRefused: 0, stranded: 0, lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(verdict(report), told).toEqual([]);
  });
});
