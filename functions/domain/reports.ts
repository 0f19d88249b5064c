import { BadRequestError } from './errors';
import type { DomainEvent } from './domain-events';

/**
 * Reports (docs/reports.md): per UTC day, skill and agent, counters kept as events happen
 * (services/reports.ts) and read back for a date range grouped by day, agent or skill.
 * Durations are kept as fixed histograms, so rows add up exactly and p50/p90 are computed at
 * read time from the merged buckets (to within a bucket's width).
 */

/** Upper bounds (ms) of the duration buckets; one more bucket holds everything longer. */
export const DURATION_BUCKETS_MS: readonly number[] = [
  5_000, 10_000, 15_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000, 180_000, 240_000, 300_000, 450_000, 600_000, 900_000, 1_200_000,
  1_800_000, 2_700_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 86_400_000,
];
/** Buckets per histogram: the bounded ones plus the overflow. */
export const BUCKET_COUNT = DURATION_BUCKETS_MS.length + 1;

/** The bucket a duration falls in: the first whose upper bound is at least it (inclusive), else the overflow. */
export function bucketOf(ms: number): number {
  const value = Math.max(0, ms);
  const index = DURATION_BUCKETS_MS.findIndex((bound) => value <= bound);
  return index === -1 ? DURATION_BUCKETS_MS.length : index;
}

/**
 * The p-quantile (0 < p <= 1) of a histogram, interpolated linearly inside the bucket that holds
 * it (the nearest-rank target `ceil(p * n)`); the overflow bucket answers its lower bound.
 * Undefined for an empty histogram.
 */
export function percentile(counts: readonly number[], p: number): number | undefined {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * total));
  let below = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = index === 0 ? 0 : DURATION_BUCKETS_MS[index - 1]!;
      const upper = DURATION_BUCKETS_MS[index];
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return undefined;
}

/** The counters one row keeps (besides the two histograms). */
export const REPORT_COUNTERS = [
  'started',
  'answered',
  'abandonedInQueue',
  'tickets',
  'messages',
  'closed',
  'handleMsSum',
  'handleCount',
  'csatSum',
  'csatCount',
] as const;
export type ReportCounter = (typeof REPORT_COUNTERS)[number];

/** Histogram bucket attributes: `w<i>` the wait to first assignment, `f<i>` the first response. */
export const waitBucket = (index: number) => `w${index}`;
export const firstResponseBucket = (index: number) => `f${index}`;

/** Agent id of the rows of events without an agent (starts, queue abandons, tickets). */
export const NO_AGENT = '-';

/** One stored row: a day, skill and agent with its counters and bucket counts by attribute name. */
export interface ReportRow {
  readonly day: string;
  readonly skill: string;
  readonly agentId: string;
  readonly agentName?: string;
  readonly values: Readonly<Record<string, number>>;
}

/** What one event adds, and to which row. Undefined for events reports do not count. */
export interface RowIncrement {
  readonly day: string;
  readonly skill: string;
  readonly agent?: { readonly id: string; readonly name: string };
  readonly add: Readonly<Record<string, number>>;
}

/** The UTC day (YYYY-MM-DD) of an ISO 8601 instant. */
export function dayOf(at: string): string {
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new BadRequestError(`Not a time: ${at}`);
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * What an event adds to its day's row. Ratings are counted by the sink (a re-rating replaces
 * the score), so they are not here.
 */
export function incrementFor(event: DomainEvent): RowIncrement | undefined {
  const day = dayOf(event.at);
  const row = (agent: { id: string; name: string } | undefined, add: Record<string, number>): RowIncrement => ({
    day,
    skill: event.skill,
    ...(agent ? { agent } : {}),
    add,
  });
  switch (event.type) {
    case 'conversation.started':
      return row(undefined, { started: 1 });
    case 'conversation.assigned':
      // The first assignment answers it: its wait is the wait to an agent.
      return event.first ? row(event.agent, { answered: 1, [waitBucket(bucketOf(event.waitMs))]: 1 }) : undefined;
    case 'message.created': {
      const staff = event.from.role === 'agent' || event.from.role === 'supervisor' || event.from.role === 'admin';
      const agent = staff ? { id: event.from.id, name: event.from.name } : event.agent;
      return row(agent, {
        messages: 1,
        ...(event.firstResponseMs === undefined ? {} : { [firstResponseBucket(bucketOf(event.firstResponseMs))]: 1 }),
      });
    }
    case 'conversation.closed':
      return row(event.agent, {
        closed: 1,
        ...(event.reason === 'queue' ? { abandonedInQueue: 1 } : {}),
        ...(event.handleMs === undefined || !event.agent ? {} : { handleMsSum: event.handleMs, handleCount: 1 }),
      });
    case 'ticket.created':
      return row(undefined, { tickets: 1 });
    default:
      return undefined;
  }
}

export type ReportGrouping = 'day' | 'agent' | 'skill';

/** A line of a report: one day, agent or skill over the range. */
export interface ReportLine {
  /** The day, agent id or skill. */
  readonly key: string;
  /** The agent's name for `agent` lines (the newest seen); the key otherwise. */
  readonly label: string;
  readonly started: number;
  readonly answered: number;
  readonly abandonedInQueue: number;
  readonly tickets: number;
  readonly messages: number;
  readonly closed: number;
  readonly waitP50Ms: number | null;
  readonly waitP90Ms: number | null;
  readonly firstResponseP50Ms: number | null;
  readonly firstResponseP90Ms: number | null;
  readonly handleAvgMs: number | null;
  readonly csatAverage: number | null;
  readonly csatCount: number;
}

/** The longest range one report covers (one Query per day). */
export const MAX_REPORT_DAYS = 92;

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Every UTC day from `from` to `to`, both included; refuses bad dates and ranges. */
export function daysBetween(from: string, to: string): string[] {
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!DAY_PATTERN.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || dayOf(`${value}T00:00:00Z`) !== value) {
      throw new BadRequestError(`${name} must be a date written YYYY-MM-DD`);
    }
  }
  if (from > to) throw new BadRequestError('from must not be after to');
  const days: string[] = [];
  for (let time = Date.parse(`${from}T00:00:00Z`); ; time += 86_400_000) {
    const day = new Date(time).toISOString().slice(0, 10);
    if (day > to) break;
    days.push(day);
    if (days.length > MAX_REPORT_DAYS) throw new BadRequestError(`A report covers at most ${MAX_REPORT_DAYS} days`);
  }
  return days;
}

function emptyValues(): Record<string, number> {
  return {};
}

function merge(into: Record<string, number>, values: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(values)) into[name] = (into[name] ?? 0) + value;
}

const histogram = (values: Readonly<Record<string, number>>, name: (index: number) => string): number[] =>
  Array.from({ length: BUCKET_COUNT }, (_, index) => values[name(index)] ?? 0);

/** A line from its merged values. */
export function lineOf(key: string, label: string, values: Readonly<Record<string, number>>): ReportLine {
  const value = (name: ReportCounter) => values[name] ?? 0;
  const waits = histogram(values, waitBucket);
  const firstResponses = histogram(values, firstResponseBucket);
  return {
    key,
    label,
    started: value('started'),
    answered: value('answered'),
    abandonedInQueue: value('abandonedInQueue'),
    tickets: value('tickets'),
    messages: value('messages'),
    closed: value('closed'),
    waitP50Ms: percentile(waits, 0.5) ?? null,
    waitP90Ms: percentile(waits, 0.9) ?? null,
    firstResponseP50Ms: percentile(firstResponses, 0.5) ?? null,
    firstResponseP90Ms: percentile(firstResponses, 0.9) ?? null,
    handleAvgMs: value('handleCount') > 0 ? Math.round(value('handleMsSum') / value('handleCount')) : null,
    csatAverage: value('csatCount') > 0 ? Math.round((value('csatSum') / value('csatCount')) * 100) / 100 : null,
    csatCount: value('csatCount'),
  };
}

/**
 * The report's lines: by day, every day of the range (zeros where nothing happened); by agent
 * or skill, those with any row, sorted by key. Plus the totals over everything.
 */
export function aggregate(
  rows: readonly ReportRow[],
  groupBy: ReportGrouping,
  days: readonly string[],
): { lines: ReportLine[]; totals: ReportLine } {
  const groups = new Map<string, { label: string; values: Record<string, number> }>();
  if (groupBy === 'day') for (const day of days) groups.set(day, { label: day, values: emptyValues() });
  const totals = emptyValues();
  for (const row of rows) {
    const key = groupBy === 'day' ? row.day : groupBy === 'agent' ? row.agentId : row.skill;
    const label = groupBy === 'agent' ? (row.agentId === NO_AGENT ? 'No agent' : (row.agentName ?? row.agentId)) : key;
    let group = groups.get(key);
    if (!group) {
      group = { label, values: emptyValues() };
      groups.set(key, group);
    }
    merge(group.values, row.values);
    merge(totals, row.values);
  }
  const lines = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group]) => lineOf(key, group.label, group.values));
  return { lines, totals: lineOf('total', 'Total', totals) };
}

const CSV_COLUMNS: readonly (keyof ReportLine)[] = [
  'key',
  'label',
  'started',
  'answered',
  'abandonedInQueue',
  'tickets',
  'messages',
  'closed',
  'waitP50Ms',
  'waitP90Ms',
  'firstResponseP50Ms',
  'firstResponseP90Ms',
  'handleAvgMs',
  'csatAverage',
  'csatCount',
];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading =+-@ is neutralised (CSV injection). */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: a header, one line per report line, then the totals. */
export function toCsv(lines: readonly ReportLine[], totals: ReportLine): string {
  const rows = [CSV_COLUMNS.join(','), ...[...lines, totals].map((line) => CSV_COLUMNS.map((column) => csvField(line[column])).join(','))];
  return `${rows.join('\r\n')}\r\n`;
}
