import { describe, expect, it } from 'vitest';
import { bucketize, maxOf, minOf, percentile, percentileCurve, slopeOf, summarize } from '../../../scripts/load/stats';

describe('percentiles', () => {
  const hundred = Array.from({ length: 100 }, (_, index) => index + 1);

  it('takes the nearest rank', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 90)).toBe(90);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.9)).toBe(100);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });
  it('summarizes unsorted values', () => {
    const values = [...hundred].reverse();
    expect(summarize(values)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(summarize([])).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 });
  });
  it('draws a percentile curve at the asked points', () => {
    expect(percentileCurve([3, 1, 2, 4], [0, 50, 100])).toEqual([
      [0, 1],
      [50, 2],
      [100, 4],
    ]);
  });
});

describe('time buckets', () => {
  it('groups samples by send time, with empty buckets kept', () => {
    const buckets = bucketize(
      [
        [0, 10],
        [400, 30],
        [999, 20],
        [2_500, 5],
      ],
      1_000,
    );
    expect(buckets).toEqual([
      { atMs: 0, sent: 3, p50: 20, p99: 30, max: 30 },
      { atMs: 1_000, sent: 0, p50: 0, p99: 0, max: 0 },
      { atMs: 2_000, sent: 1, p50: 5, p99: 5, max: 5 },
    ]);
    expect(bucketize([], 1_000)).toEqual([]);
  });
});

describe('a long run', () => {
  it('buckets and summarizes more samples than a call can take as arguments', () => {
    const samples = Array.from({ length: 500_000 }, (_, index) => [index / 10, index % 7] as const);
    const buckets = bucketize(samples, 1_000);
    expect(buckets).toHaveLength(50);
    expect(buckets.reduce((sum, bucket) => sum + bucket.sent, 0)).toBe(500_000);
    expect(summarize(samples.map(([, latency]) => latency)).max).toBe(6);
    expect(maxOf(samples.map(([at]) => at))).toBe(49_999.9);
    expect(minOf([], 3)).toBe(3);
    expect(maxOf([])).toBe(0);
  });
});

describe('slopeOf', () => {
  it('is the growth per unit through every point, so one swing at an end moves it less than it moves end minus start', () => {
    expect(
      slopeOf([
        [0, 100],
        [1000, 10_100],
        [2000, 20_100],
      ]),
    ).toBe(10);
    // Growth is 10 per unit, but the last reading fell by 8,000 (pages handed back): end minus
    // start reads 8 per unit, the fit through all five steps 8.4.
    const steps: Array<[number, number]> = [
      [0, 0],
      [1000, 10_000],
      [2000, 20_000],
      [3000, 30_000],
      [4000, 32_000],
    ];
    expect((32_000 - 0) / 4000).toBe(8);
    expect(slopeOf(steps)).toBeCloseTo(8.4, 5);
  });

  it('is 0 without two distinct x', () => {
    expect(slopeOf([])).toBe(0);
    expect(slopeOf([[5, 10]])).toBe(0);
    expect(
      slopeOf([
        [5, 10],
        [5, 20],
      ]),
    ).toBe(0);
  });
});
