import { describe, expect, it } from 'vitest';
import {
  ALWAYS_OPEN,
  BusinessHoursError,
  instantsOfWall,
  isOpen,
  nextOpening,
  type WeeklySchedule,
  wallMinuteAt,
} from '../../../functions/domain/business-hours';
import { businessHoursSchema, MAX_CLOSED_ENTRIES, MAX_RANGES_PER_DAY } from '../../../functions/domain/business-hours-schema';

const at = (iso: string) => new Date(iso);
const weekdays = (from: string, to: string) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [{ from, to }]]));

const berlinOffice: WeeklySchedule = { timeZone: 'Europe/Berlin', weekly: weekdays('09:00', '17:00'), closed: [] };

describe('isOpen', () => {
  it('follows a Europe/Berlin office day (09:00-17:00 CET is 08:00-16:00 UTC in winter)', () => {
    expect(isOpen(berlinOffice, at('2026-11-30T07:59:59Z'))).toBe(false);
    expect(isOpen(berlinOffice, at('2026-11-30T08:00:00Z'))).toBe(true);
    expect(isOpen(berlinOffice, at('2026-11-30T15:59:59Z'))).toBe(true);
    expect(isOpen(berlinOffice, at('2026-11-30T16:00:00Z'))).toBe(false);
    // Saturday
    expect(isOpen(berlinOffice, at('2026-12-05T10:00:00Z'))).toBe(false);
    // Summer time: 09:00 CEST is 07:00 UTC.
    expect(isOpen(berlinOffice, at('2026-07-01T07:00:00Z'))).toBe(true);
    expect(isOpen(berlinOffice, at('2026-07-01T06:59:00Z'))).toBe(false);
  });

  it('takes several ranges a day (a lunch break)', () => {
    const schedule: WeeklySchedule = {
      timeZone: 'America/New_York',
      weekly: {
        mon: [
          { from: '09:00', to: '12:00' },
          { from: '13:00', to: '17:00' },
        ],
      },
      closed: [],
    };
    // 2026-11-30 is a Monday; New York is UTC-5 in winter.
    expect(isOpen(schedule, at('2026-11-30T16:30:00Z'))).toBe(true);
    expect(isOpen(schedule, at('2026-11-30T17:30:00Z'))).toBe(false);
    expect(isOpen(schedule, at('2026-11-30T18:00:00Z'))).toBe(true);
  });

  it('runs an overnight range across midnight (Asia/Shanghai, UTC+8, Friday 22:00-06:00)', () => {
    const schedule: WeeklySchedule = { timeZone: 'Asia/Shanghai', weekly: { fri: [{ from: '22:00', to: '06:00' }] }, closed: [] };
    expect(isOpen(schedule, at('2026-12-04T13:59:00Z'))).toBe(false); // Fri 21:59
    expect(isOpen(schedule, at('2026-12-04T14:00:00Z'))).toBe(true); // Fri 22:00
    expect(isOpen(schedule, at('2026-12-04T19:00:00Z'))).toBe(true); // Sat 03:00
    expect(isOpen(schedule, at('2026-12-04T21:59:00Z'))).toBe(true); // Sat 05:59
    expect(isOpen(schedule, at('2026-12-04T22:00:00Z'))).toBe(false); // Sat 06:00
  });

  it('runs an overnight range across the end of the week (Sunday 22:00 into Monday)', () => {
    const schedule: WeeklySchedule = { timeZone: 'Asia/Shanghai', weekly: { sun: [{ from: '22:00', to: '06:00' }] }, closed: [] };
    expect(isOpen(schedule, at('2026-11-29T21:00:00Z'))).toBe(true); // Mon 05:00
    expect(isOpen(schedule, at('2026-11-29T22:00:00Z'))).toBe(false); // Mon 06:00
    expect(nextOpening(schedule, at('2026-11-30T00:00:00Z'))?.toISOString()).toBe('2026-12-06T14:00:00.000Z');
  });

  it('is open all the time for 00:00-24:00 every day, and with no hours stored', () => {
    for (const instant of ['2026-03-29T01:30:00Z', '2026-12-25T00:00:00Z', '2027-06-30T23:59:59Z']) {
      expect(isOpen(ALWAYS_OPEN, at(instant))).toBe(true);
      expect(nextOpening(ALWAYS_OPEN, at(instant))?.toISOString()).toBe(at(instant).toISOString());
    }
  });

  it('closes holidays (inclusive ranges in the schedule zone)', () => {
    const schedule: WeeklySchedule = { ...berlinOffice, closed: [{ from: '2026-12-24', to: '2026-12-26', label: 'Christmas' }] };
    expect(isOpen(schedule, at('2026-12-23T10:00:00Z'))).toBe(true);
    expect(isOpen(schedule, at('2026-12-24T10:00:00Z'))).toBe(false);
    expect(isOpen(schedule, at('2026-12-25T10:00:00Z'))).toBe(false);
    expect(nextOpening(schedule, at('2026-12-23T16:30:00Z'))?.toISOString()).toBe('2026-12-28T08:00:00.000Z');
  });

  it('cuts an overnight range at the midnight of a closed date, and cancels ranges starting on one', () => {
    const schedule: WeeklySchedule = {
      timeZone: 'Asia/Shanghai',
      weekly: { thu: [{ from: '22:00', to: '06:00' }], fri: [{ from: '22:00', to: '06:00' }] },
      closed: [{ from: '2026-12-04' }], // Friday
    };
    expect(isOpen(schedule, at('2026-12-03T15:00:00Z'))).toBe(true); // Thu 23:00
    expect(isOpen(schedule, at('2026-12-03T18:00:00Z'))).toBe(false); // Fri 02:00 (closed date)
    expect(isOpen(schedule, at('2026-12-04T15:00:00Z'))).toBe(false); // Fri 23:00
    expect(isOpen(schedule, at('2026-12-04T19:00:00Z'))).toBe(false); // Sat 03:00, Friday's range
  });
});

describe('daylight-saving transitions', () => {
  it('opens a range starting in the spring-forward gap at the first instant after it (New York, 02:30 does not exist)', () => {
    const schedule: WeeklySchedule = { timeZone: 'America/New_York', weekly: { sun: [{ from: '02:30', to: '04:00' }] }, closed: [] };
    // 2026-03-08: 02:00 EST (07:00 UTC) jumps to 03:00 EDT.
    expect(isOpen(schedule, at('2026-03-08T06:59:00Z'))).toBe(false); // 01:59 EST
    expect(isOpen(schedule, at('2026-03-08T07:00:00Z'))).toBe(true); // 03:00 EDT
    expect(isOpen(schedule, at('2026-03-08T07:59:00Z'))).toBe(true); // 03:59 EDT
    expect(isOpen(schedule, at('2026-03-08T08:00:00Z'))).toBe(false); // 04:00 EDT
    expect(nextOpening(schedule, at('2026-03-08T05:00:00Z'))?.toISOString()).toBe('2026-03-08T07:00:00.000Z');
  });

  it('maps a gap wall time to the transition in Europe/Berlin too', () => {
    // 2026-03-29: 02:00 CET (01:00 UTC) jumps to 03:00 CEST.
    const wall = wallMinuteAt('UTC', Date.parse('2026-03-29T02:30:00Z'));
    expect(instantsOfWall('Europe/Berlin', wall).map((ms) => new Date(ms).toISOString())).toEqual(['2026-03-29T01:00:00.000Z']);
  });

  it('is open both times a fall-back wall time happens (01:30 twice in New York)', () => {
    const schedule: WeeklySchedule = { timeZone: 'America/New_York', weekly: { sun: [{ from: '01:00', to: '02:00' }] }, closed: [] };
    // 2026-11-01: 02:00 EDT (06:00 UTC) falls back to 01:00 EST.
    expect(isOpen(schedule, at('2026-11-01T05:30:00Z'))).toBe(true); // 01:30 EDT
    expect(isOpen(schedule, at('2026-11-01T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(isOpen(schedule, at('2026-11-01T07:00:00Z'))).toBe(false); // 02:00 EST
    const wall = wallMinuteAt('UTC', Date.parse('2026-11-01T01:30:00Z'));
    expect(instantsOfWall('America/New_York', wall).map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
    ]);
  });

  it('finds the second occurrence of a repeated wall time as the next opening', () => {
    const schedule: WeeklySchedule = { timeZone: 'America/New_York', weekly: { sun: [{ from: '01:30', to: '01:45' }] }, closed: [] };
    expect(nextOpening(schedule, at('2026-11-01T05:50:00Z'))?.toISOString()).toBe('2026-11-01T06:30:00.000Z');
  });

  it('keeps Berlin office hours at 09:00 local across the autumn change', () => {
    // Friday before (CEST, UTC+2) and Monday after (CET, UTC+1) 2026-10-25.
    expect(nextOpening(berlinOffice, at('2026-10-23T16:00:00Z'))?.toISOString()).toBe('2026-10-26T08:00:00.000Z');
  });
});

describe('nextOpening', () => {
  it('returns the next Monday morning from a Friday evening (Europe/Berlin)', () => {
    expect(nextOpening(berlinOffice, at('2026-12-04T16:00:00Z'))?.toISOString()).toBe('2026-12-07T08:00:00.000Z');
  });

  it('searches across a week and more of closed days (New York, year-end shutdown)', () => {
    const schedule: WeeklySchedule = {
      timeZone: 'America/New_York',
      weekly: weekdays('09:00', '17:00'),
      closed: [
        { from: '2026-12-21', to: '2026-12-27' },
        { from: '2026-12-28', to: '2027-01-01', label: 'New year' },
      ],
    };
    expect(nextOpening(schedule, at('2026-12-18T22:00:00Z'))?.toISOString()).toBe('2027-01-04T14:00:00.000Z');
  });

  it('skips weeks whose only open day is a holiday', () => {
    const schedule: WeeklySchedule = {
      timeZone: 'Asia/Shanghai',
      weekly: { mon: [{ from: '10:00', to: '11:00' }] },
      closed: [{ from: '2026-11-30' }, { from: '2026-12-07' }, { from: '2026-12-14' }],
    };
    expect(nextOpening(schedule, at('2026-11-29T00:00:00Z'))?.toISOString()).toBe('2026-12-21T02:00:00.000Z');
  });

  it('is undefined when the schedule never opens', () => {
    expect(nextOpening({ timeZone: 'Europe/Berlin', weekly: {}, closed: [] }, at('2026-11-30T12:00:00Z'))).toBeUndefined();
    const allClosed: WeeklySchedule = { ...berlinOffice, closed: [{ from: '2026-01-01', to: '2028-12-31' }] };
    expect(nextOpening(allClosed, at('2026-11-30T12:00:00Z'))).toBeUndefined();
  });

  it('refuses a zone the runtime does not know', () => {
    expect(() => isOpen({ ...berlinOffice, timeZone: 'Mars/Olympus_Mons' }, at('2026-11-30T12:00:00Z'))).toThrow(BusinessHoursError);
  });
});

describe('the hours body', () => {
  const valid = { timeZone: 'Europe/Berlin', weekly: { mon: [{ from: '09:00', to: '17:00' }] }, behaviour: 'form' };

  it('accepts a schedule and fills defaults', () => {
    const parsed = businessHoursSchema.parse({ ...valid, weekly: { ...valid.weekly, tue: [] } });
    expect(parsed).toEqual({ timeZone: 'Europe/Berlin', weekly: { mon: [{ from: '09:00', to: '17:00' }] }, closed: [], behaviour: 'form' });
    expect(businessHoursSchema.parse({ ...valid, timeZone: 'asia/shanghai' }).timeZone).toBe('Asia/Shanghai');
    expect(
      businessHoursSchema.parse({
        ...valid,
        weekly: {
          sun: [
            { from: '00:00', to: '24:00' },
            { from: '22:00', to: '06:00' },
          ],
        },
      }).weekly.sun,
    ).toHaveLength(2);
  });

  it('refuses an invalid zone', () => {
    const result = businessHoursSchema.safeParse({ ...valid, timeZone: 'Europe/Atlantis' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('not an IANA time zone');
  });

  it.each([
    ['a time out of range', { ...valid, weekly: { mon: [{ from: '25:00', to: '26:00' }] } }],
    ['a time without two digits', { ...valid, weekly: { mon: [{ from: '9:00', to: '17:00' }] } }],
    ['an empty range', { ...valid, weekly: { mon: [{ from: '09:00', to: '09:00' }] } }],
    ['24:00 as a start', { ...valid, weekly: { mon: [{ from: '24:00', to: '06:00' }] } }],
    ['an unknown day', { ...valid, weekly: { monday: [{ from: '09:00', to: '17:00' }] } }],
    ['an unknown field', { ...valid, colour: 'red' }],
    ['an unknown behaviour', { ...valid, behaviour: 'panic' }],
    [
      'too many ranges a day',
      { ...valid, weekly: { mon: Array.from({ length: MAX_RANGES_PER_DAY + 1 }, () => ({ from: '09:00', to: '10:00' })) } },
    ],
    ['too many closed entries', { ...valid, closed: Array.from({ length: MAX_CLOSED_ENTRIES + 1 }, () => ({ from: '2026-12-24' })) }],
    ['a date that does not exist', { ...valid, closed: [{ from: '2026-02-30' }] }],
    ['a closed range ending before it starts', { ...valid, closed: [{ from: '2026-12-26', to: '2026-12-24' }] }],
    ['no zone', { weekly: {}, behaviour: 'queue' }],
  ])('refuses %s', (_name, body) => {
    expect(businessHoursSchema.safeParse(body).success).toBe(false);
  });
});
