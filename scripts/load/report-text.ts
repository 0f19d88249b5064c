import type { LoadReport, RunResult } from './run';
import type { LatencySummary } from './stats';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const latency = (summary: LatencySummary) => `${ms(summary.p50)} / ${ms(summary.p90)} / ${ms(summary.p99)} / ${ms(summary.max)} ms`;

/** The rows of the summary table, one value per run: what `npm run load` prints and the HTML shows. */
export function summaryRows(run: RunResult): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['pacing', run.pacing],
    [
      'conversations / agents',
      `${run.conversations} / ${run.agents}${run.setupFailures > 0 ? ` (${run.setupFailures} could not be set up)` : ''}`,
    ],
    ['connections held', String(run.connectionsHeld)],
    ['messages sent / acked / delivered', `${run.sent} / ${run.acked} / ${run.delivered}`],
    ['refused (error frame) / unacked / undelivered', `${run.refused} / ${run.unacked} / ${run.undelivered}`],
    ['skipped (too many in flight)', String(run.skipped)],
    ['msg/s sent / delivered', `${run.sentPerSecond.toFixed(1)} / ${run.deliveredPerSecond.toFixed(1)}`],
    ['ack latency p50 / p90 / p99 / max', latency(run.ack)],
    ['delivery latency p50 / p90 / p99 / max', latency(run.delivery)],
    [
      'errors by code',
      Object.keys(run.errors).length === 0
        ? 'none'
        : Object.entries(run.errors)
            .map(([code, count]) => `${code} ${count}`)
            .join(', '),
    ],
  ];
  if (run.server) {
    const server = run.server;
    rows.push(
      ['server CPU per message (all / net of idle)', `${server.cpuMsPerMessage.toFixed(2)} / ${server.netCpuMsPerMessage.toFixed(2)} ms`],
      ['server CPU, share of one core (load / idle)', `${server.corePercent.toFixed(0)} % / ${server.idleCorePercent.toFixed(1)} %`],
      ['server RSS base / peak / end', `${mib(server.rssBaseBytes)} / ${mib(server.rssPeakBytes)} / ${mib(server.rssEndBytes)}`],
      ['server heap after GC, base / end', `${mib(server.heapBaseBytes)} / ${mib(server.heapEndBytes)}`],
      [
        `memory per idle connection (${server.idleConnections} idle): RSS / heap / held (heap + off-heap)`,
        server.idleConnections === 0
          ? 'not measured'
          : `${kib(server.rssPerIdleConnectionBytes)} / ${kib(server.heapPerIdleConnectionBytes)} / ${kib(server.heldPerIdleConnectionBytes)}`,
      ],
    );
  }
  rows.push(
    ['setup (sign-ins, connects, starts, routing)', `${(run.setupMs / 1000).toFixed(1)} s`],
    ['load average (1 min) before / after', `${run.loadAverage.before.toFixed(2)} / ${run.loadAverage.after.toFixed(2)}`],
  );
  return rows;
}

/** Ratios Parley / relay for the numbers where a ratio means something. */
export function ratioRows(parley: RunResult, relay: RunResult): Array<[string, string]> {
  const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : a / b >= 100 ? `${(a / b).toFixed(0)}x` : `${(a / b).toPrecision(3)}x`);
  const rows: Array<[string, string]> = [
    ['delivered msg/s', ratio(parley.deliveredPerSecond, relay.deliveredPerSecond)],
    ['ack latency p50 / p99', `${ratio(parley.ack.p50, relay.ack.p50)} / ${ratio(parley.ack.p99, relay.ack.p99)}`],
    ['delivery latency p50 / p99', `${ratio(parley.delivery.p50, relay.delivery.p50)} / ${ratio(parley.delivery.p99, relay.delivery.p99)}`],
  ];
  if (parley.server && relay.server) {
    rows.push(
      ['server CPU per message (net of idle)', ratio(parley.server.netCpuMsPerMessage, relay.server.netCpuMsPerMessage)],
      ['memory per idle connection (RSS)', ratio(parley.server.rssPerIdleConnectionBytes, relay.server.rssPerIdleConnectionBytes)],
      ['memory per idle connection (held)', ratio(parley.server.heldPerIdleConnectionBytes, relay.server.heldPerIdleConnectionBytes)],
    );
  }
  return rows;
}

/** Markdown tables: every run's numbers side by side, then the ratios when there is a baseline. */
export function formatText(report: LoadReport): string {
  if (report.runs.length === 0) return 'No runs.';
  const columns = report.runs.map((run) => new Map(summaryRows(run)));
  // In the order of the fullest run (one with server numbers), then anything only others have.
  const names = [...new Set([...columns].sort((a, b) => b.size - a.size).flatMap((rows) => [...rows.keys()]))];
  const lines = [
    `Load run ${report.startedAt}: ${report.command}`,
    '',
    `| measure | ${report.runs.map((run) => run.target).join(' | ')} |`,
    `|---|${report.runs.map(() => '---:').join('|')}|`,
    ...names.map((name) => `| ${name} | ${columns.map((rows) => rows.get(name) ?? '-').join(' | ')} |`),
  ];
  const relay = report.runs.find((run) => run.target === 'relay');
  const parley = report.runs.find((run) => run.target === 'parley');
  if (parley && relay) {
    lines.push(
      '',
      '| Parley / relay | ratio |',
      '|---|---:|',
      ...ratioRows(parley, relay).map(([name, value]) => `| ${name} | ${value} |`),
    );
  }
  if (report.baselineFailure) lines.push('', `The baseline run failed: ${report.baselineFailure}`);
  return lines.join('\n');
}
