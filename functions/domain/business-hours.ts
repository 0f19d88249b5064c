/**
 * Business hours: a weekly schedule in an IANA time zone, with closed dates (holidays). Pure:
 * every conversion between an instant and the schedule's wall clock goes through
 * `Intl.DateTimeFormat`, so daylight-saving rules come from the runtime's tz database, never
 * from offsets written here.
 *
 * Semantics (docs/routing.md "Business hours and availability"):
 * - A range `from`-`to` is open from `from` (inclusive) to `to` (exclusive), in wall-clock time.
 *   `to` may be `24:00`. A range whose `to` is earlier than its `from` runs overnight into the
 *   next day (22:00-06:00).
 * - A closed entry closes whole calendar dates (inclusive) in the schedule's zone: no range
 *   that starts on one runs, and an overnight range from the day before ends at its midnight.
 * - A wall time that does not exist (02:30 on a spring-forward day) is passed over: a range
 *   starting then opens at the first instant after the gap. A wall time that happens twice
 *   (01:30 on a fall-back day) is inside a range both times.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** What a widget does for a skill when the team is closed or nobody serving it is online. */
export type OfflineBehaviour = 'hide' | 'form' | 'queue';

export interface TimeRange {
  /** `HH:MM`, 00:00-23:59. */
  readonly from: string;
  /** `HH:MM`, 00:00-24:00; earlier than `from` runs overnight. */
  readonly to: string;
}

export interface ClosedDates {
  /** `YYYY-MM-DD`, in the schedule's zone. */
  readonly from: string;
  /** `YYYY-MM-DD`, inclusive; absent = `from` alone. */
  readonly to?: string;
  readonly label?: string;
}

export interface WeeklySchedule {
  readonly timeZone: string;
  readonly weekly: Readonly<Partial<Record<Weekday, readonly TimeRange[]>>>;
  readonly closed: readonly ClosedDates[];
}

/** A skill's stored hours: the schedule plus what the widget does outside it. */
export interface BusinessHours extends WeeklySchedule {
  readonly behaviour: OfflineBehaviour;
  /** Replaces the first sentence of the off-hours notice, per language. */
  readonly offHoursMessage?: { readonly en?: string; readonly 'zh-CN'?: string };
}

/** How far ahead nextOpening looks: a year of holidays and then some. */
export const NEXT_OPENING_HORIZON_DAYS = 373;

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

export class BusinessHoursError extends Error {
  override readonly name: string = 'BusinessHoursError';
}

/** The zone's canonical name, or undefined when the runtime does not know it. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch (error) {
      throw new BusinessHoursError(`Unknown time zone ${JSON.stringify(timeZone)}`, { cause: error });
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * A wall-clock minute as a number: minutes since 1970-01-01 00:00 *of the wall clock*. Only
 * used to compare and step wall times (calendar arithmetic), never as an instant.
 */
type WallMinute = number;

/** The wall-clock minute an instant shows in the zone. */
export function wallMinuteAt(timeZone: string, instantMs: number): WallMinute {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute')) / MINUTE_MS;
}

/** The wall date (days since 1970-01-01) and minute of day. */
function split(wall: WallMinute): { day: number; minute: number } {
  const day = Math.floor(wall / DAY_MINUTES);
  return { day, minute: wall - day * DAY_MINUTES };
}

function isoDate(day: number): string {
  return new Date(day * DAY_MINUTES * MINUTE_MS).toISOString().slice(0, 10);
}

function weekdayOf(day: number): Weekday {
  return WEEKDAYS[new Date(day * DAY_MINUTES * MINUTE_MS).getUTCDay()]!;
}

export function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

function isClosedDate(schedule: WeeklySchedule, day: number): boolean {
  if (schedule.closed.length === 0) return false;
  const date = isoDate(day);
  return schedule.closed.some((entry) => entry.from <= date && date <= (entry.to ?? entry.from));
}

function rangesOf(schedule: WeeklySchedule, day: number): readonly TimeRange[] {
  return schedule.weekly[weekdayOf(day)] ?? [];
}

const isOvernight = (range: TimeRange) => minutesOf(range.to) < minutesOf(range.from);

/** Whether the schedule is open at a wall-clock minute. */
function isOpenAtWall(schedule: WeeklySchedule, wall: WallMinute): boolean {
  const { day, minute } = split(wall);
  if (isClosedDate(schedule, day)) return false;
  const today = rangesOf(schedule, day).some((range) => {
    const from = minutesOf(range.from);
    return isOvernight(range) ? minute >= from : minute >= from && minute < minutesOf(range.to);
  });
  if (today) return true;
  if (isClosedDate(schedule, day - 1)) return false;
  return rangesOf(schedule, day - 1).some((range) => isOvernight(range) && minute < minutesOf(range.to));
}

/** Whether the schedule is open at the instant. */
export function isOpen(schedule: WeeklySchedule, instant: Date): boolean {
  return isOpenAtWall(schedule, wallMinuteAt(schedule.timeZone, instant.getTime()));
}

/**
 * Every instant (minute-aligned) whose wall clock shows exactly `wall`: usually one, two in a
 * fall-back overlap. In a spring-forward gap none does, and the first instant after the gap
 * (the transition) is returned instead, since that is when a range starting in the gap opens.
 */
export function instantsOfWall(timeZone: string, wall: WallMinute): number[] {
  const asIfUtc = wall * MINUTE_MS;
  // Offsets in force around the wall time; any real instant of it uses one of them.
  const offsets = new Set(
    [-DAY_MINUTES, 0, DAY_MINUTES].map((shift) => {
      const probe = asIfUtc + shift * MINUTE_MS;
      return wallMinuteAt(timeZone, probe) - probe / MINUTE_MS;
    }),
  );
  const found = [...offsets]
    .map((offset) => asIfUtc - offset * MINUTE_MS)
    .filter((instant) => wallMinuteAt(timeZone, instant) === wall)
    .sort((a, b) => a - b);
  if (found.length > 0) return [...new Set(found)];
  // A gap: bisect for the first instant whose wall clock is past `wall`.
  const candidates = [...offsets].map((offset) => asIfUtc - offset * MINUTE_MS);
  let low = Math.min(...candidates); // shows a wall time before the gap
  let high = Math.max(...candidates); // shows a wall time after it
  if (wallMinuteAt(timeZone, low) > wall || wallMinuteAt(timeZone, high) < wall) return [];
  while (high - low > MINUTE_MS) {
    const middle = low + Math.floor((high - low) / MINUTE_MS / 2) * MINUTE_MS;
    if (wallMinuteAt(timeZone, middle) < wall) low = middle;
    else high = middle;
  }
  return [high];
}

/**
 * The first instant at or after `instant` when the schedule is open (the instant itself while
 * open), or undefined when it does not open within NEXT_OPENING_HORIZON_DAYS.
 */
export function nextOpening(schedule: WeeklySchedule, instant: Date): Date | undefined {
  if (isOpen(schedule, instant)) return instant;
  const now = instant.getTime();
  const { day: today } = split(wallMinuteAt(schedule.timeZone, now));
  // Openings happen only where a range starts; ranges of an earlier day started before now.
  for (let day = today; day <= today + NEXT_OPENING_HORIZON_DAYS; day++) {
    if (isClosedDate(schedule, day)) continue;
    const starts = rangesOf(schedule, day)
      .flatMap((range) => instantsOfWall(schedule.timeZone, day * DAY_MINUTES + minutesOf(range.from)))
      .filter((start) => start > now)
      .sort((a, b) => a - b);
    const opening = starts.find((start) => isOpen(schedule, new Date(start)));
    if (opening !== undefined) return new Date(opening);
  }
  return undefined;
}

/** Always open: what applies when no hours are stored for a skill or the default. */
export const ALWAYS_OPEN: BusinessHours = {
  timeZone: 'UTC',
  weekly: Object.fromEntries(WEEKDAYS.map((day) => [day, [{ from: '00:00', to: '24:00' }]])),
  closed: [],
  behaviour: 'queue',
};
