import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import {
  aggregate,
  BUCKET_COUNT,
  bucketOf,
  dayOf,
  daysBetween,
  DURATION_BUCKETS_MS,
  incrementFor,
  MAX_REPORT_DAYS,
  percentile,
  type ReportRow,
  toCsv,
  waitBucket,
} from '../../../functions/domain/reports';

const histogram = (values: number[]) => {
  const counts = new Array<number>(BUCKET_COUNT).fill(0);
  for (const value of values) counts[bucketOf(value)]! += 1;
  return counts;
};

describe('duration buckets', () => {
  it('puts a duration in the first bucket whose upper bound holds it, bounds inclusive, and beyond the last in the overflow', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(5_000)).toBe(0);
    expect(bucketOf(5_001)).toBe(1);
    expect(bucketOf(60_000)).toBe(DURATION_BUCKETS_MS.indexOf(60_000));
    expect(bucketOf(86_400_000)).toBe(DURATION_BUCKETS_MS.length - 1);
    expect(bucketOf(86_400_001)).toBe(DURATION_BUCKETS_MS.length);
    expect(BUCKET_COUNT).toBe(DURATION_BUCKETS_MS.length + 1);
  });

  it('has strictly increasing bounds', () => {
    for (let index = 1; index < DURATION_BUCKETS_MS.length; index++) {
      expect(DURATION_BUCKETS_MS[index]!).toBeGreaterThan(DURATION_BUCKETS_MS[index - 1]!);
    }
  });
});

describe('percentiles from a histogram', () => {
  it('is undefined without data', () => {
    expect(percentile(new Array(BUCKET_COUNT).fill(0), 0.5)).toBeUndefined();
  });

  it('interpolates inside the bucket holding the nearest rank', () => {
    // Ten waits in (5 s, 10 s]: the median is the 5th of 10, halfway through the bucket.
    const counts = histogram(Array.from({ length: 10 }, () => 7_000));
    expect(percentile(counts, 0.5)).toBe(7_500);
    expect(percentile(counts, 0.9)).toBe(9_500);
    expect(percentile(counts, 1)).toBe(10_000);
  });

  it('crosses buckets by cumulative count', () => {
    // 1 in [0,5s], 1 in (5s,10s], 8 in (60s,90s]: p50 is the 5th value, the 4th of 8 in the last.
    const counts = histogram([1_000, 6_000, ...Array.from({ length: 8 }, () => 80_000)]);
    expect(percentile(counts, 0.5)).toBe(60_000 + (30_000 * 3) / 8);
    expect(percentile(counts, 0.1)).toBe(5_000);
    expect(percentile(counts, 0.2)).toBe(10_000);
  });

  it('answers the overflow bucket by its lower bound', () => {
    expect(percentile(histogram([100_000_000]), 0.5)).toBe(86_400_000);
  });

  it('merged histograms give the percentile of all values (rows add up)', () => {
    const a = histogram([1_000, 2_000]);
    const b = histogram([70_000, 80_000]);
    const merged = a.map((count, index) => count + b[index]!);
    expect(merged).toEqual(histogram([1_000, 2_000, 70_000, 80_000]));
  });
});

describe('days', () => {
  it('takes the UTC day of an instant, whatever its offset', () => {
    expect(dayOf('2026-03-01T23:59:59.999Z')).toBe('2026-03-01');
    expect(dayOf('2026-03-02T00:00:00.000Z')).toBe('2026-03-02');
    expect(dayOf('2026-03-02T00:30:00+01:00')).toBe('2026-03-01');
  });

  it('lists every day of a range, both ends included, across months and leap days', () => {
    expect(daysBetween('2028-02-28', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(daysBetween('2026-12-31', '2026-12-31')).toEqual(['2026-12-31']);
    expect(daysBetween('2026-01-01', '2026-04-02')).toHaveLength(MAX_REPORT_DAYS);
  });

  it('refuses bad dates, reversed and too long ranges', () => {
    expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(/YYYY-MM-DD/);
    expect(() => daysBetween('2026-3-1', '2026-03-01')).toThrow(/YYYY-MM-DD/);
    expect(() => daysBetween('2026-03-02', '2026-03-01')).toThrow(/after/);
    expect(() => daysBetween('2026-01-01', '2026-04-03')).toThrow(/at most 92 days/);
  });
});

const base = { conversationId: 'c1', skill: 'tech', customerId: 'guest:1', at: '2026-03-01T10:00:00.000Z' };
const agent = { id: 'ag', name: 'Agent' };

describe('what an event adds to its row', () => {
  it('counts a start, a first assignment with its wait, a queue abandon, a ticket and messages', () => {
    expect(incrementFor({ ...base, id: '1', type: 'conversation.started', status: 'queued' })).toEqual({
      day: '2026-03-01',
      skill: 'tech',
      add: { started: 1 },
    });
    expect(incrementFor({ ...base, id: '2', type: 'conversation.assigned', agent, waitMs: 12_000, first: true })).toEqual({
      day: '2026-03-01',
      skill: 'tech',
      agent,
      add: { answered: 1, [waitBucket(bucketOf(12_000))]: 1 },
    });
    // A transfer or requeue is not a new answer.
    expect(incrementFor({ ...base, id: '3', type: 'conversation.assigned', agent, waitMs: 0, first: false })).toBeUndefined();
    expect(
      incrementFor({ ...base, id: '4', type: 'conversation.closed', closedBy: 'customer', reason: 'queue', messages: 1 })?.add,
    ).toEqual({
      closed: 1,
      abandonedInQueue: 1,
    });
    expect(
      incrementFor({ ...base, id: '5', type: 'conversation.closed', closedBy: 'agent', agent, handleMs: 60_000, messages: 3 })?.add,
    ).toEqual({
      closed: 1,
      handleMsSum: 60_000,
      handleCount: 1,
    });
    expect(incrementFor({ ...base, id: '6', type: 'ticket.created', source: 'form', subject: 'x' })?.add).toEqual({ tickets: 1 });
    const staffMessage: DomainEvent = {
      ...base,
      id: '7',
      type: 'message.created',
      seq: 2,
      from: { ...agent, role: 'agent' },
      text: 'hi',
      firstResponseMs: 3_000,
    };
    expect(incrementFor(staffMessage)).toEqual({ day: '2026-03-01', skill: 'tech', agent, add: { messages: 1, f0: 1 } });
    const customerMessage: DomainEvent = {
      ...base,
      id: '8',
      type: 'message.created',
      seq: 3,
      from: { id: 'guest:1', name: 'C', role: 'customer' },
      text: 'x',
      agent,
    };
    expect(incrementFor(customerMessage)?.agent).toEqual(agent);
    expect(incrementFor({ ...base, id: '9', type: 'conversation.rated', score: 5 })).toBeUndefined();
  });
});

describe('aggregation', () => {
  const rows: ReportRow[] = [
    { day: '2026-03-01', skill: 'tech', agentId: 'ag', agentName: 'Agent', values: { answered: 1, w1: 1, csatSum: 9, csatCount: 2 } },
    { day: '2026-03-02', skill: 'tech', agentId: '-', values: { started: 2 } },
    {
      day: '2026-03-02',
      skill: 'billing',
      agentId: 'ag',
      agentName: 'Agent',
      values: { answered: 1, w1: 1, handleMsSum: 100, handleCount: 2 },
    },
  ];

  it('by day lists every day of the range, zeros included', () => {
    const { lines, totals } = aggregate(rows, 'day', ['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(lines.map((line) => [line.key, line.started, line.answered])).toEqual([
      ['2026-03-01', 0, 1],
      ['2026-03-02', 2, 1],
      ['2026-03-03', 0, 0],
    ]);
    expect(totals).toMatchObject({ started: 2, answered: 2, csatAverage: 4.5, csatCount: 2, handleAvgMs: 50, waitP50Ms: 7_500 });
    expect(lines[2]).toMatchObject({ waitP50Ms: null, csatAverage: null, handleAvgMs: null });
  });

  it('by agent and skill merges rows; the agent-less row is labelled', () => {
    expect(aggregate(rows, 'agent', []).lines.map((line) => [line.key, line.label, line.answered])).toEqual([
      ['-', 'No agent', 0],
      ['ag', 'Agent', 2],
    ]);
    expect(aggregate(rows, 'skill', []).lines.map((line) => [line.key, line.started])).toEqual([
      ['billing', 0],
      ['tech', 2],
    ]);
  });

  it('writes CSV with a header and totals, quoting and neutralising formulas', () => {
    const { lines, totals } = aggregate(
      [{ day: '2026-03-01', skill: 'tech', agentId: 'x', agentName: '=cmd,"x"', values: { started: 1 } }],
      'agent',
      [],
    );
    const csv = toCsv(lines, totals).split('\r\n');
    expect(csv[0]).toBe(
      'key,label,started,answered,abandonedInQueue,tickets,messages,closed,waitP50Ms,waitP90Ms,firstResponseP50Ms,firstResponseP90Ms,handleAvgMs,csatAverage,csatCount',
    );
    expect(csv[1]).toBe(`x,"'=cmd,""x""",1,0,0,0,0,0,,,,,,,0`);
    expect(csv[2]).toBe('total,Total,1,0,0,0,0,0,,,,,,,0');
  });
});
