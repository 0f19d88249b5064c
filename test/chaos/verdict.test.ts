import { zeroCounts } from '../../local/faults/fault-injector';
import { describe, expect, it } from 'vitest';
import { type ChaosReport, EXIT_CODES, exitCode, formatReport, verdict } from '../../scripts/chaos/chaos-run';
import { check } from '../../scripts/chaos/checker';
import { NO_STACK_FAULTS, scheduleEvents } from '../../scripts/chaos/fault-schedule';
import { seededRandom } from '../../local/faults/random';

/** A report of a clean run of two sends, to change one thing at a time. */
function report(change: Partial<ChaosReport> = {}): ChaosReport {
  const logs = new Map([['conv', [{ seq: 1, messageId: 'm1', senderId: 'guest', clientMsgId: 'c1' }]]]);
  const result = check({
    logs,
    participants: new Map([['conv', ['guest', 'agent']]]),
    devices: [],
    sends: [{ clientMsgId: 'c1', senderId: 'guest', conversationId: 'conv', outcome: { kind: 'acked', seq: 1, messageId: 'm1' } }],
  });
  return {
    target: 'local',
    conversations: 1,
    participants: 2,
    devices: 2,
    planned: 1,
    messagesSent: { byCustomers: 1, byAgents: 0 },
    disconnects: 0,
    reloads: 0,
    freshInstalls: 0,
    resends: 0,
    syncs: 0,
    gapSyncs: 0,
    duplicatesDroppedByClients: 0,
    sendsWithCursor: 0,
    sendsWithoutCursor: 0,
    audit: { syncs: 0, messages: 0 },
    injectedFaults: { ...zeroCounts(), total: 0 },
    stackFaults: { redisFlushes: 0, redisKills: 0, restarts: 0 },
    skipped: [],
    failedByCode: {},
    check: result,
    phase: 'done',
    loadAverage: [1, 1, 1],
    seconds: 1,
    ...change,
  };
}

describe('chaos verdict and exit code', () => {
  it('a clean run passes', () => {
    expect(verdict(report())).toEqual([]);
    expect(exitCode(report())).toBe(EXIT_CODES.passed);
  });

  it('a stalled run without a failure in what it checked is incomplete, not failed, and says what it managed', () => {
    const stalled = report({ phase: 'traffic', incomplete: { phase: 'traffic', reason: 'no send resolved for 120 s' }, planned: 50 });
    expect(verdict(stalled)).toEqual([]);
    expect(exitCode(stalled)).toBe(EXIT_CODES.incomplete);
    expect(formatReport(stalled)).toContain('INCOMPLETE at traffic: no send resolved for 120 s; sent 1, acked 1');
    expect(formatReport(stalled)).toContain('load average 1 1 1');
  });

  it('a stalled run with a wrongly refused send fails', () => {
    const refused = report({
      incomplete: { phase: 'traffic', reason: 'stall' },
      check: { ...report().check, wronglyRefused: 1 },
      failedByCode: { forbidden: 1 },
    });
    expect(verdict(refused)).toEqual(['wronglyRefused: 1']);
    expect(exitCode(refused)).toBe(EXIT_CODES.failed);
  });

  it('a routing change that never showed fails the run', () => {
    const routing = { closes: 0, newConversations: 0, transfers: 0, transfersRefused: 0, statusFlips: 0, offlines: 0, reassigned: 0 };
    const stuck = report({ routing: { ...routing, problems: ['gave up waiting 120 s for c1 to close'] } });
    expect(verdict(stuck)).toEqual(['routing: gave up waiting 120 s for c1 to close']);
  });
});

describe('fault schedule', () => {
  it('spreads every stack fault and agent-wide change evenly inside the traffic, in a seeded order', () => {
    const faults = { ...NO_STACK_FAULTS, redisFlushes: 2, redisKills: 1, restarts: 1 };
    const routing = { closeChance: 0, transferChance: 0, statusFlips: 1, offlines: 1, settleMs: 0 };
    const events = scheduleEvents(faults, routing, 700, seededRandom(1));
    expect(events.map((event) => event.at)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(events.map((event) => event.kind).sort()).toEqual([
      'offline',
      'redis-flush',
      'redis-flush',
      'redis-kill',
      'restart',
      'status-flip',
    ]);
    expect(scheduleEvents(faults, routing, 700, seededRandom(1))).toEqual(events);
  });
});
