import { describe, expect, it } from 'vitest';
import {
  ACKED_FLOOR,
  ALL_FAULTS,
  ALLOWED_FAILURE_CODES,
  type ChaosOptions,
  formatReport,
  runChaos,
  verdict,
} from '../../scripts/chaos/chaos-run';

/**
 * The short chaos run inside `npm test` (the full one is `npm run chaos`): every fault on,
 * random disconnects, reloads and new installs, then the checker and a raw audit of `sync`.
 *
 * Few conversations with many messages each, so conversations run past one sync page (100)
 * and every device that missed something, every reload and every new install (which syncs
 * the whole history from scratch) leans on sync paging; the final audit asks the server's
 * sync directly, from the start and from half way, with no client library to heal its answer.
 */
const OPTIONS: ChaosOptions = {
  conversations: 2,
  conversationsPerAgent: 2,
  messages: 220,
  secondDeviceShare: 0.5,
  reloadPerSecond: 0.1,
  newInstallsPerParticipant: 1,
  maxPauseMs: 30,
  maxUnresolved: { overall: 24, perDevice: 4 },
  faults: ALL_FAULTS,
  seed: 4242,
  // A wait gives up after this long without progress; a passing run never waits for it.
  stallTimeoutMs: 90_000,
};

/**
 * Budgets for a loaded 2-core CI box (load 15-20): they bound a hang, never a passing run.
 * Starting the stack and setting up participants, then each message's share of the work
 * (send, ack, fan-out, syncs, audit), then the stalls a failing run may wait out before the
 * checker reports (assignment, settling, catching up, the audit).
 */
const SETUP_BUDGET_MS = 120_000;
const PER_MESSAGE_BUDGET_MS = 1_000;
const TIMEOUT_MS = SETUP_BUDGET_MS + OPTIONS.messages * PER_MESSAGE_BUDGET_MS + 4 * OPTIONS.stallTimeoutMs;

describe('delivery guarantees under every fault', () => {
  it('loses, duplicates and reorders nothing, and settles every accepted send', { timeout: TIMEOUT_MS }, async () => {
    const report = await runChaos(OPTIONS);
    // The whole report goes with every assertion: a failure in CI then says what happened.
    const told = formatReport(report);
    console.log(told);
    // The faults fired, and the run leaned on reconnects and syncs.
    expect(report.injectedFaults.total, told).toBeGreaterThan(0);
    expect(report.disconnects, told).toBeGreaterThan(0);
    expect(report.freshInstalls, told).toBeGreaterThan(0);
    expect(report.audit.messages, told).toBeGreaterThanOrEqual(OPTIONS.messages);
    // Every planned send was accepted and settled; at least the floor of them acked, and
    // failures only with codes the faults can legitimately cause.
    const c = report.check;
    expect(c.accepted, told).toBe(OPTIONS.messages);
    expect(c.acked, told).toBeGreaterThanOrEqual(Math.ceil(ACKED_FLOOR * OPTIONS.messages));
    expect(c.acked + c.failed, told).toBe(c.accepted);
    for (const code of Object.keys(report.failedByCode)) expect(ALLOWED_FAILURE_CODES, told).toContain(code);
    // Nothing lost, duplicated, reordered, misdelivered, or acked without being stored.
    expect(c.problems, told).toEqual([]);
    expect(c, told).toMatchObject({
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      unexpected: 0,
      unresolved: 0,
      ackedNotStored: 0,
      failedButStored: 0,
      logDefects: 0,
    });
    expect(verdict(report), told).toEqual([]);
  });
});
