/**
 * The notice a customer gets on starting a conversation the team cannot answer now, in their
 * language (English or Simplified Chinese) and their time zone. Pure: dates are worded with
 * `Intl.DateTimeFormat` and `Intl.RelativeTimeFormat`.
 */

export type NoticeLanguage = 'en' | 'zh-CN';

/** The supported language for a BCP 47 tag: any Chinese tag speaks zh-CN, everything else English. */
export function noticeLanguage(locale: string | undefined): NoticeLanguage {
  return locale && /^zh\b/i.test(locale) ? 'zh-CN' : 'en';
}

export interface AwayNoticeInput {
  readonly language: NoticeLanguage;
  /** The zone the times are worded in (the visitor's, else the schedule's). */
  readonly timeZone: string;
  readonly now: Date;
  /** Inside business hours. */
  readonly open: boolean;
  readonly agentsOnline: number;
  /** When the team is back (while closed), if it ever is. */
  readonly nextOpening?: Date;
  /** The admin's wording of the first sentence, per language. */
  readonly offHoursMessage?: { readonly en?: string; readonly 'zh-CN'?: string };
}

const TEXT = {
  en: {
    away: "We're away right now.",
    back: (when: string) => `We're back ${when}.`,
    backLater: "We'll answer as soon as we're back.",
    nobody: "Nobody is online right now; we'll answer as soon as someone is.",
  },
  'zh-CN': {
    away: '我们现在不在线。',
    back: (when: string) => `我们将于${when} 回来。`,
    backLater: '我们回来后会尽快答复。',
    nobody: '现在没有人在线；有人上线后我们会尽快答复。',
  },
} as const;

/** Days between two calendar dates as the zone's wall clock shows them. */
function calendarDaysBetween(timeZone: string, from: Date, to: Date): number {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const day = (instant: Date) => Date.parse(`${format.format(instant)}T00:00:00Z`) / 86_400_000;
  return Math.round(day(to) - day(from));
}

/** "tomorrow at 09:00", "on Monday at 09:00", "on January 5 at 09:00" / "明天 09:00", "星期一 09:00", "1月5日 09:00". */
export function wordOpening(language: NoticeLanguage, timeZone: string, now: Date, opening: Date): string {
  const time = new Intl.DateTimeFormat(language, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(opening);
  const days = calendarDaysBetween(timeZone, now, opening);
  let day: string;
  let relative = false;
  if (days <= 1) {
    day = new Intl.RelativeTimeFormat(language, { numeric: 'auto' }).format(Math.max(0, days), 'day');
    relative = true;
  } else if (days < 7) {
    day = new Intl.DateTimeFormat(language, { timeZone, weekday: 'long' }).format(opening);
  } else {
    day = new Intl.DateTimeFormat(language, { timeZone, month: 'long', day: 'numeric' }).format(opening);
  }
  if (language === 'zh-CN') return `${day} ${time}`;
  return relative ? `${day} at ${time}` : `on ${day} at ${time}`;
}

/** The notice's text, or undefined when the team can answer now (open with someone online). */
export function awayNotice(input: AwayNoticeInput): string | undefined {
  const text = TEXT[input.language];
  if (input.open) return input.agentsOnline > 0 ? undefined : text.nobody;
  const first = input.offHoursMessage?.[input.language] ?? text.away;
  const second = input.nextOpening ? text.back(wordOpening(input.language, input.timeZone, input.now, input.nextOpening)) : text.backLater;
  return input.language === 'zh-CN' ? `${first}${second}` : `${first} ${second}`;
}
