import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../scripts/load/report-html';
import { formatText } from '../../scripts/load/report-text';
import { runLoad } from '../../scripts/load/run';
import { budget, STACK_START_MS, STEP_MS } from '../support/setup';

/**
 * `npm run load` end to end on a tiny load: the local stack in its child process (and the
 * baseline relay in another), 3 conversations served by one agent, 2 idle connections, 15
 * messages at 5/s. Checks the counts only (every message acked and delivered, no errors),
 * never latencies: the machine may be loaded.
 */
const CONVERSATIONS = 3;
const IDLE = 2;
const RATE = 5;
const SECONDS = 3;
const MESSAGES = RATE * SECONDS;
/**
 * Per target: the server starting, then sequential steps in the worst case: admin sign-in and
 * the skill (2), the agent created, signed in, connected, synced, online (5), each idle
 * connection's token, connect and sync (3 each, and the warm-up one), each customer's token, connect, sync, start
 * and assignment (5 each), the sends, the drain (a step per message at worst) and the close.
 */
const PER_TARGET_MS = STACK_START_MS + budget(2 + 5 + 3 * (IDLE + 1) + 5 * CONVERSATIONS + MESSAGES + 2, SECONDS * 1000);

describe('npm run load', () => {
  it(
    'drives conversations over the real protocol and reports every message acked and delivered, for Parley and the relay',
    async () => {
      const report = await runLoad(
        {
          conversations: CONVERSATIONS,
          perAgent: CONVERSATIONS,
          idle: IDLE,
          pacing: { kind: 'rate', schedule: { fromPerSecond: RATE, toPerSecond: RATE, durationMs: SECONDS * 1000 }, maxInFlight: 1000 },
          drainMs: budget(MESSAGES),
          textChars: 50,
          stepMs: STEP_MS,
          concurrency: 2,
          target: { kind: 'local', admin: { email: 'admin@example.com', password: 'parley-demo' } },
          baseline: 'relay',
          skill: 'load',
        },
        'load-tool test',
      );
      expect(report.runs.map((run) => run.target)).toEqual(['parley', 'relay']);
      for (const run of report.runs) {
        expect(run, run.target).toMatchObject({
          conversations: CONVERSATIONS,
          setupFailures: 0,
          agents: 1,
          // Customers, the agent, the idle connections and the one that warmed the server up before them.
          connectionsHeld: CONVERSATIONS + 1 + IDLE + 1,
          sent: MESSAGES,
          acked: MESSAGES,
          delivered: MESSAGES,
          refused: 0,
          unacked: 0,
          undelivered: 0,
          skipped: 0,
          errors: {},
        });
        expect(run.ack.count).toBe(MESSAGES);
        expect(run.delivery.count).toBe(MESSAGES);
        expect(run.server?.idleConnections).toBe(IDLE);
        // /proc counts CPU in 10 ms ticks: the relay's few messages can take less than one.
        if (run.target === 'parley') expect(run.server?.cpuMs).toBeGreaterThan(0);
        else expect(run.server?.cpuMs).toBeGreaterThanOrEqual(0);
        expect(run.server?.rssBaseBytes).toBeGreaterThan(0);
      }
      const text = formatText(report);
      expect(text).toContain(
        `| messages sent / acked / delivered | ${MESSAGES} / ${MESSAGES} / ${MESSAGES} | ${MESSAGES} / ${MESSAGES} / ${MESSAGES} |`,
      );
      expect(text).toContain('| errors by code | none | none |');
      const html = renderHtml(report);
      expect(html).toContain(`<td class="num">${MESSAGES} / ${MESSAGES} / ${MESSAGES}</td>`);
      expect(html).not.toMatch(/<script/i);
    },
    2 * PER_TARGET_MS,
  );
});
