/** Latency statistics for the load report. Pure. */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** The largest value (`fallback` for none), without spreading: a long run has more samples than the call stack has room for arguments. */
export function maxOf(values: Iterable<number>, fallback = 0): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return max === Number.NEGATIVE_INFINITY ? fallback : max;
}

export function minOf(values: Iterable<number>, fallback = 0): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min === Number.POSITIVE_INFINITY ? fallback : min;
}

/**
 * The least-squares slope of y over x: the growth per unit that a few noisy steps agree on
 * (memory per connection from measurements after each batch of connections). 0 for fewer than
 * two distinct x.
 */
export function slopeOf(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

/** Nearest-rank percentile of ascending values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (p <= 0) return sorted[0]!;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    mean: sorted.length === 0 ? 0 : sum / sorted.length,
  };
}

/** The percentiles a percentile plot draws: dense toward the tail (50, 75, 87.5, ... 99.9, 100). */
export const PLOT_PERCENTILES: readonly number[] = [0, 10, 25, 50, 75, 87.5, 90, 93.75, 95, 96.875, 98, 98.4375, 99, 99.5, 99.9, 100];

export function percentileCurve(values: readonly number[], points: readonly number[] = PLOT_PERCENTILES): Array<[number, number]> {
  const sorted = [...values].sort((a, b) => a - b);
  return points.map((p) => [p, percentile(sorted, p)]);
}

/** One time bucket of samples (by the time the message was sent). */
export interface TimeBucket {
  /** Start of the bucket, ms since the run's message phase began. */
  readonly atMs: number;
  readonly sent: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Samples `[sentAtMs, latencyMs]` grouped into buckets of `bucketMs` from 0 to the last sample. */
export function bucketize(samples: ReadonlyArray<readonly [number, number]>, bucketMs: number): TimeBucket[] {
  if (samples.length === 0) return [];
  const last = maxOf(samples.map(([at]) => at));
  const groups: number[][] = Array.from({ length: Math.floor(last / bucketMs) + 1 }, () => []);
  for (const [at, latency] of samples) groups[Math.floor(Math.max(0, at) / bucketMs)]!.push(latency);
  return groups.map((group, index) => {
    const sorted = group.sort((a, b) => a - b);
    return {
      atMs: index * bucketMs,
      sent: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? 0,
    };
  });
}
