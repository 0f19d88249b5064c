import type { Locale, Translate } from '../web/i18n';

/** When the team is back, as the visitor's calendar in their own zone words it. */
export type ReturnDay =
  | { readonly kind: 'today' }
  | { readonly kind: 'tomorrow' }
  | { readonly kind: 'weekday'; readonly weekday: string }
  | { readonly kind: 'date'; readonly date: string };

export interface ReturnTime {
  readonly day: ReturnDay;
  /** 24-hour `HH:mm` in the visitor's zone. */
  readonly time: string;
}

const DAY_MS = 86_400_000;

/** A zone the runtime knows, else undefined (the runtime's own zone is used). */
export function knownTimeZone(zone: string | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** The calendar day of an instant in a zone, as a UTC midnight (so days subtract exactly). */
function calendarDay(instant: Date, timeZone: string | undefined): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'));
}

/**
 * Words the next opening relative to now in the visitor's zone: today, tomorrow, a weekday
 * within the coming week, else a date. The zone arithmetic is Intl's, not ours.
 */
export function returnTime(nextOpening: Date, now: Date, timeZone: string | undefined, locale: Locale): ReturnTime {
  const zone = knownTimeZone(timeZone);
  const time = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    nextOpening,
  );
  const days = Math.round((calendarDay(nextOpening, zone) - calendarDay(now, zone)) / DAY_MS);
  if (days <= 0) return { day: { kind: 'today' }, time };
  if (days === 1) return { day: { kind: 'tomorrow' }, time };
  if (days < 7) {
    return {
      day: { kind: 'weekday', weekday: new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'long' }).format(nextOpening) },
      time,
    };
  }
  return {
    day: { kind: 'date', date: new Intl.DateTimeFormat(locale, { timeZone: zone, month: 'long', day: 'numeric' }).format(nextOpening) },
    time,
  };
}

/** "We're back tomorrow at 09:00." in the visitor's language. */
export function backAtText(back: ReturnTime, t: Translate): string {
  switch (back.day.kind) {
    case 'today':
      return t('awayBackToday', { time: back.time });
    case 'tomorrow':
      return t('awayBackTomorrow', { time: back.time });
    case 'weekday':
      return t('awayBackWeekday', { weekday: back.day.weekday, time: back.time });
    case 'date':
      return t('awayBackDate', { date: back.day.date, time: back.time });
  }
}
