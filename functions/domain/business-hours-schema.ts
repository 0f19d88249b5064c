import * as z from '../shared/zod';
import { canonicalTimeZone, WEEKDAYS, type BusinessHours } from './business-hours';

/** The body of `PUT /v1/skills/{skill}/hours`, and what is stored: strict, so unknown fields are refused. */
export const MAX_RANGES_PER_DAY = 10;
export const MAX_CLOSED_ENTRIES = 200;
export const MAX_OFF_HOURS_MESSAGE = 500;

const time = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 00:00-23:59'));
const endTime = z.string().check(z.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'an end time is HH:MM, 00:00-24:00'));
const date = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD'),
  z.refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value), {
    message: 'not a calendar date',
  }),
);

const range = z
  .strictObject({ from: time, to: endTime })
  .check(z.refine((value) => value.from !== value.to, 'a range needs different from and to (00:00-24:00 is the whole day)'));

const dayRanges = z.array(range).check(z.maxLength(MAX_RANGES_PER_DAY, `at most ${MAX_RANGES_PER_DAY} ranges a day`));

const closedEntry = z
  .strictObject({ from: date, to: z.optional(date), label: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))) })
  .check(z.refine((entry) => entry.to === undefined || entry.to >= entry.from, 'a closed range ends on or after its start'));

const message = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_OFF_HOURS_MESSAGE));

export const timeZoneSchema = z.pipe(
  z.string().check(z.minLength(1), z.maxLength(64)),
  z.transform((zone, ctx) => {
    const canonical = canonicalTimeZone(zone);
    if (!canonical) {
      ctx.issues.push({ code: 'custom', input: zone, message: `${JSON.stringify(zone)} is not an IANA time zone this runtime knows` });
      return z.NEVER;
    }
    return canonical;
  }),
);

export const businessHoursSchema = z.pipe(
  z.strictObject({
    timeZone: timeZoneSchema,
    weekly: z.strictObject(
      Object.fromEntries(WEEKDAYS.map((day) => [day, z.optional(dayRanges)])) as Record<
        (typeof WEEKDAYS)[number],
        z.ZodMiniOptional<typeof dayRanges>
      >,
    ),
    closed: z._default(z.array(closedEntry).check(z.maxLength(MAX_CLOSED_ENTRIES, `at most ${MAX_CLOSED_ENTRIES} closed entries`)), []),
    behaviour: z._default(z.enum(['hide', 'form', 'queue']), 'queue'),
    offHoursMessage: z.optional(z.strictObject({ en: z.optional(message), 'zh-CN': z.optional(message) })),
  }),
  z.transform((hours): BusinessHours => {
    // Days without ranges are closed; stored without empty keys.
    const weekly = Object.fromEntries(Object.entries(hours.weekly).filter(([, ranges]) => ranges && ranges.length > 0));
    return { ...hours, weekly } as BusinessHours;
  }),
);

export type BusinessHoursInput = z.input<typeof businessHoursSchema>;
