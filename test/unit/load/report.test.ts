import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../scripts/load/driver';
import { escapeHtml, lineChart, ninesScale, renderHtml } from '../../../scripts/load/report-html';
import { formatText } from '../../../scripts/load/report-text';
import { resultOf, type LoadReport, type RunResult } from '../../../scripts/load/run';

function run(target: 'parley' | 'relay', latencyMs: number, server: boolean): RunResult {
  const samples: Sample[] = Array.from({ length: 40 }, (_, index) => ({
    conversation: index % 4,
    from: index % 2 === 0 ? 'customer' : 'agent',
    sentAt: index * 100,
    ackAt: index * 100 + latencyMs,
    deliveredAt: index * 100 + latencyMs + 1,
  }));
  const counts = resultOf({
    samples,
    skipped: 0,
    errors: target === 'parley' ? { rate_limited: 2 } : {},
    sendingMs: 3_900,
    totalMs: 4_000,
  });
  return {
    target,
    where: `ws://127.0.0.1:1/${target}`,
    pacing: '10/s for 4 s',
    conversations: 4,
    setupFailures: 0,
    agents: 1,
    connectionsHeld: 5,
    setupMs: 1_000,
    ...counts,
    server: server
      ? {
          pid: 42,
          cpuMs: 400,
          wallMs: 4_000,
          cpuMsPerMessage: 10,
          netCpuMsPerMessage: 8,
          corePercent: 10,
          idleCorePercent: 2,
          rssBaseBytes: 100 * 1024 * 1024,
          idleConnections: 10,
          rssPerIdleConnectionBytes: 20 * 1024,
          heapPerIdleConnectionBytes: 5 * 1024,
          heldPerIdleConnectionBytes: 6 * 1024,
          rssPeakBytes: 120 * 1024 * 1024,
          rssEndBytes: 110 * 1024 * 1024,
          heapBaseBytes: 40 * 1024 * 1024,
          heapEndBytes: 48 * 1024 * 1024,
          samples: [
            { atMs: 1_000, corePercent: 9, rssBytes: 110 * 1024 * 1024 },
            { atMs: 2_000, corePercent: 11, rssBytes: 120 * 1024 * 1024 },
          ],
        }
      : undefined,
    loadAverage: { before: 1.5, after: 2.25 },
  };
}

const report: LoadReport = {
  startedAt: '2026-12-01T00:00:00.000Z',
  command: 'npm run load -- --rate 10/s <script>',
  runs: [run('parley', 50, true), run('relay', 1, true)],
};

describe('load counts', () => {
  it('counts acks, deliveries, refusals and what stayed unanswered', () => {
    const counts = resultOf({
      samples: [
        { conversation: 0, from: 'customer', sentAt: 0, ackAt: 5, deliveredAt: 7 },
        { conversation: 0, from: 'agent', sentAt: 10, ackAt: 30 },
        { conversation: 0, from: 'customer', sentAt: 20, error: 'rate_limited' },
        { conversation: 0, from: 'agent', sentAt: 30 },
      ],
      skipped: 1,
      errors: { rate_limited: 1 },
      sendingMs: 30,
      totalMs: 1_000,
    });
    expect(counts).toMatchObject({ sent: 4, acked: 2, delivered: 1, refused: 1, unacked: 1, undelivered: 2, skipped: 1 });
    expect(counts.ack).toMatchObject({ count: 2, p50: 5, max: 20 });
    expect(counts.delivery).toMatchObject({ count: 1, p50: 7 });
    expect(counts.deliveredPerSecond).toBe(1);
  });
});

describe('text report', () => {
  it('puts the runs side by side and the ratios under them', () => {
    const text = formatText(report);
    expect(text).toContain('| measure | parley | relay |');
    expect(text).toContain('| messages sent / acked / delivered | 40 / 40 / 40 | 40 / 40 / 40 |');
    expect(text).toContain('| errors by code | rate_limited 2 | none |');
    expect(text).toContain('| server heap after GC, base / end | 40.0 MiB / 48.0 MiB | 40.0 MiB / 48.0 MiB |');
    expect(text).toContain('| ack latency p50 / p99 | 50.0x / 50.0x |');
    expect(text).toContain(
      '| memory per idle connection (10 idle): RSS / heap / held (heap + off-heap) | 20.0 KiB / 5.0 KiB / 6.0 KiB | 20.0 KiB / 5.0 KiB / 6.0 KiB |',
    );
  });
  it('shows a dash where a run has no server numbers (a deployed stack)', () => {
    const text = formatText({ ...report, runs: [run('parley', 50, false), run('relay', 1, true)] });
    expect(text).toContain('| server CPU per message (all / net of idle) | - | 10.00 / 8.00 ms |');
    // No CPU ratio without the server's numbers on both sides.
    expect(text).not.toContain('| server CPU per message (net of idle) |');
  });
});

describe('HTML report', () => {
  const html = renderHtml(report);

  it('is self-contained: no scripts, no external resources', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link|<img|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"\s<]+/g)?.filter((url) => url !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
  });
  it('escapes what it quotes', () => {
    expect(html).toContain('--rate 10/s &#60;script&#62;');
    expect(escapeHtml(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });
  it('has the summary and ratio tables and the plots, with a line per series', () => {
    expect(html).toContain('<th>parley</th><th>relay</th>');
    expect(html).toContain('Parley / relay');
    expect(html).toContain('Ack latency (send to ack on the sender)');
    expect(html).toContain('Latency by percentile');
    expect(html).toContain('Server CPU (100 = one core)');
    // Two latency-over-time charts and the percentile chart draw 4 lines each; CPU and RSS 2 each.
    expect(html.match(/<polyline/g)).toHaveLength(16);
  });
  it('draws a series of one point as a dot', () => {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'short run', color: '#123456', points: [[0, 2]] }] });
    expect(svg).toContain('<circle');
    expect(svg).toContain('fill="#123456"');
    expect(svg).not.toContain('<polyline');
  });
  it('draws a chart without data as such', () => {
    expect(lineChart({ title: 'Empty', xLabel: 'x', yLabel: 'y', series: [] })).toContain('no data');
  });
  it('places points inside the plot on a log scale', () => {
    const svg = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      yScale: 'log',
      series: [
        {
          name: 's',
          color: '#000',
          points: [
            [0, 0.5],
            [1, 5_000],
          ],
        },
      ],
    });
    const points = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((pair) => pair.split(',').map(Number));
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(64);
      expect(x).toBeLessThanOrEqual(640 - 16);
      expect(y).toBeGreaterThanOrEqual(28);
      expect(y).toBeLessThanOrEqual(280 - 44);
    }
    expect(svg).toContain('>0.1<');
    expect(svg).toContain('>10000<');
  });
  it('maps percentiles to nines', () => {
    expect(ninesScale(0)).toBe(-0);
    expect(ninesScale(90)).toBeCloseTo(1);
    expect(ninesScale(99)).toBeCloseTo(2);
    expect(ninesScale(99.9)).toBeCloseTo(3);
    expect(ninesScale(100)).toBe(3.3);
  });
});
