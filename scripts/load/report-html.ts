import type { LoadReport, RunResult } from './run';
import { ratioRows, summaryRows } from './report-text';
import { maxOf, minOf } from './stats';

/**
 * The HTML report: one self-contained page (inline SVG and CSS, no scripts, no external
 * resources) with the summary tables, latency over time, percentile plots and, for the local
 * stack, the server's CPU and memory over the run. Pure: report in, HTML out.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dashed?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Ticks on the x axis: [value, label]; default five even ones. */
  readonly xTicks?: ReadonlyArray<readonly [number, string]>;
  /** `log`: powers of ten on the y axis (latencies of a relay and of Parley differ by orders of magnitude). */
  readonly yScale?: 'linear' | 'log';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const WIDTH = 640;
const HEIGHT = 280;
const MARGIN = { left: 64, right: 16, top: 28, bottom: 44 };

/** A round step for about `count` ticks over [0, max]. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

const format = (value: number) =>
  Math.abs(value) >= 100 || Number.isInteger(value)
    ? value.toFixed(0)
    : Math.abs(value) >= 1
      ? value.toFixed(1)
      : String(Number(value.toPrecision(2)));

/** A line chart as an inline SVG element, axes from 0 to the largest value. */
export function lineChart(spec: ChartSpec): string {
  const points = spec.series.flatMap((series) => series.points);
  // The legend sits above the plot, two series a row.
  const top = MARGIN.top + Math.ceil(spec.series.length / 2) * 14;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - top - MARGIN.bottom;
  const title = `<text x="${WIDTH / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(spec.title)}</text>`;
  if (points.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">${title}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data</text></svg>`;
  }
  const xMax = maxOf([...points.map(([x]) => x), ...(spec.xTicks ?? []).map(([x]) => x)]) || 1;
  const largest = maxOf(points.map(([, y]) => y)) || 1;
  const sx = (x: number) => MARGIN.left + (x / xMax) * plotWidth;
  let sy: (y: number) => number;
  let yTicks: number[];
  if (spec.yScale === 'log') {
    const positive = points.map(([, y]) => y).filter((y) => y > 0);
    const low = Math.floor(Math.log10(minOf(positive, largest)));
    const high = Math.max(low + 1, Math.ceil(Math.log10(largest)));
    sy = (y: number) => top + plotHeight - ((Math.log10(Math.max(y, 10 ** low)) - low) / (high - low)) * plotHeight;
    yTicks = Array.from({ length: high - low + 1 }, (_, index) => 10 ** (low + index));
  } else {
    const yStep = niceStep(largest, 5);
    const yMax = Math.ceil(largest / yStep) * yStep;
    sy = (y: number) => top + plotHeight - (y / yMax) * plotHeight;
    yTicks = Array.from({ length: Math.round(yMax / yStep) + 1 }, (_, index) => index * yStep);
  }
  const xTicks = spec.xTicks ?? Array.from({ length: 6 }, (_, index) => [(xMax * index) / 5, format((xMax * index) / 5)] as const);
  const grid = [
    ...yTicks.map(
      (y) =>
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" class="grid"/><text x="${MARGIN.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${format(y)}</text>`,
    ),
    ...xTicks.map(
      ([x, label]) =>
        `<line x1="${sx(x).toFixed(1)}" x2="${sx(x).toFixed(1)}" y1="${top}" y2="${top + plotHeight}" class="grid"/><text x="${sx(x).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle">${escapeHtml(label)}</text>`,
    ),
  ];
  const lines = spec.series
    .filter((series) => series.points.length > 0)
    .map((series) => {
      const path = series.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      // A single point (a run shorter than one time slice) is a dot: a one-point line draws nothing.
      if (series.points.length === 1) {
        const [[x, y]] = series.points as [readonly [number, number]];
        return `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${series.color}"><title>${escapeHtml(series.name)}</title></circle>`;
      }
      return `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="1.8"${series.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${escapeHtml(series.name)}</title></polyline>`;
    });
  const legend = spec.series.map(
    (series, index) =>
      `<g transform="translate(${MARGIN.left + 8 + (index % 2) * 200},${MARGIN.top + 2 + Math.floor(index / 2) * 14})"><line x1="0" x2="18" y1="0" y2="0" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="22" y="4">${escapeHtml(series.name)}</text></g>`,
  );
  const axes = [
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`,
    `<text transform="translate(14,${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img">${title}${grid.join('')}${lines.join('')}${legend.join('')}${axes.join('')}</svg>`;
}

/** Percentile p on a "nines" scale: 0 -> 0, 90 -> 1, 99 -> 2, 99.9 -> 3 (100 is drawn at 3.3). */
export function ninesScale(p: number): number {
  return p >= 100 ? 3.3 : -Math.log10(1 - p / 100);
}

const NINES_TICKS: ReadonlyArray<readonly [number, string]> = [
  [0, 'p0'],
  [ninesScale(50), 'p50'],
  [1, 'p90'],
  [2, 'p99'],
  [3, 'p99.9'],
  [3.3, 'max'],
];

const COLORS: Record<RunResult['target'], readonly [string, string]> = { parley: ['#1f6feb', '#8250df'], relay: ['#cf222e', '#bf8700'] };

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return `<table><thead><tr>${header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell, index) => `<td${index > 0 ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderHtml(report: LoadReport): string {
  const columns = report.runs.map((run) => new Map(summaryRows(run)));
  // In the order of the fullest run (one with server numbers), then anything only others have.
  const names = [...new Set([...columns].sort((a, b) => b.size - a.size).flatMap((rows) => [...rows.keys()]))];
  const summary = table(
    ['measure', ...report.runs.map((run) => run.target)],
    names.map((name) => [name, ...columns.map((rows) => rows.get(name) ?? '-')]),
  );
  const parley = report.runs.find((run) => run.target === 'parley');
  const relay = report.runs.find((run) => run.target === 'relay');
  const ratios = parley && relay ? `<h2>Parley / relay</h2>${table(['measure', 'ratio'], ratioRows(parley, relay))}` : '';

  const overTime = (which: 'ackBuckets' | 'deliveryBuckets', title: string) =>
    lineChart({
      title,
      xLabel: 'seconds since the first send (by send time)',
      yLabel: 'ms (log scale)',
      yScale: 'log',
      series: report.runs.flatMap((run) => [
        {
          name: `${run.target} p50`,
          color: COLORS[run.target][0],
          points: run[which].filter((b) => b.sent > 0).map((b) => [b.atMs / 1000, b.p50] as const),
        },
        {
          name: `${run.target} p99`,
          color: COLORS[run.target][1],
          dashed: true,
          points: run[which].filter((b) => b.sent > 0).map((b) => [b.atMs / 1000, b.p99] as const),
        },
      ]),
    });
  const percentiles = lineChart({
    title: 'Latency by percentile',
    xLabel: 'percentile',
    yLabel: 'ms (log scale)',
    yScale: 'log',
    xTicks: NINES_TICKS,
    series: report.runs.flatMap((run) => [
      {
        name: `${run.target} ack`,
        color: COLORS[run.target][0],
        points: run.ackCurve.map(([p, value]) => [ninesScale(p), value] as const),
      },
      {
        name: `${run.target} delivery`,
        color: COLORS[run.target][1],
        dashed: true,
        points: run.deliveryCurve.map(([p, value]) => [ninesScale(p), value] as const),
      },
    ]),
  });
  const measured = report.runs.filter((run) => run.server && run.server.samples.length > 0);
  const serverCharts =
    measured.length === 0
      ? ''
      : `<h2>Server process</h2>${lineChart({
          title: 'Server CPU (100 = one core)',
          xLabel: 'seconds since the first send',
          yLabel: '% of a core',
          series: measured.map((run) => ({
            name: run.target,
            color: COLORS[run.target][0],
            points: run.server!.samples.map((s) => [s.atMs / 1000, s.corePercent] as const),
          })),
        })}${lineChart({
          title: 'Server RSS',
          xLabel: 'seconds since the first send',
          yLabel: 'MiB',
          series: measured.map((run) => ({
            name: run.target,
            color: COLORS[run.target][0],
            points: run.server!.samples.map((s) => [s.atMs / 1000, s.rssBytes / 1024 / 1024] as const),
          })),
        })}`;
  const targets = report.runs.map((run) => `<li>${escapeHtml(run.target)}: ${escapeHtml(run.where)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley load run ${escapeHtml(report.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1340px}
table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
svg{background:#fff;border:1px solid #d0d7de;margin:4px}svg text{font:11px system-ui,sans-serif;fill:#1f2328}svg .title{font-weight:600;font-size:13px}svg .grid{stroke:#eaeef2}
code{background:#f6f8fa;padding:1px 4px}
</style></head><body>
<h1>Parley load run</h1>
<p>${escapeHtml(report.startedAt)}: <code>${escapeHtml(report.command)}</code></p>
<ul>${targets}</ul>
<h2>Summary</h2>${summary}${ratios}
<h2>Latency over time</h2>${overTime('ackBuckets', 'Ack latency (send to ack on the sender)')}${overTime('deliveryBuckets', 'Delivery latency (send to receipt by the peer)')}
<h2>Percentiles</h2>${percentiles}
${serverCharts}
<p>Ack latency: the sender's send to its <code>ack</code> (the message is stored). Delivery latency: the sender's send to the
recipient's <code>message</code> frame, both on the load machine's clock. See docs/load.md.</p>
</body></html>
`;
}
