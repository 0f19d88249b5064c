import { describe, expect, it } from 'vitest';
import { translator } from '../../../clients/web/i18n';
import { backAtText, knownTimeZone, returnTime } from '../../../clients/widget/return-time';

const en = translator('en');
const zh = translator('zh-CN');

/** The away notice for an opening, seen from a zone at an instant. */
function words(nextOpening: string, now: string, zone: string, locale: 'en' | 'zh-CN'): string {
  return backAtText(returnTime(new Date(nextOpening), new Date(now), zone, locale), locale === 'en' ? en : zh);
}

describe('the away notice wording (today, tomorrow, weekday, date) in the visitor zone', () => {
  // Thursday 3 Dec 2026, 20:00 UTC; the team opens Friday 09:00 Berlin (08:00 UTC).
  const thursdayEvening = '2026-12-03T20:00:00Z';
  const fridayNineBerlin = '2026-12-04T08:00:00Z';

  it('says tomorrow in Berlin, today in Shanghai and tomorrow in New York for the same instants', () => {
    expect(words(fridayNineBerlin, thursdayEvening, 'Europe/Berlin', 'en')).toBe("We're back tomorrow at 09:00.");
    expect(words(fridayNineBerlin, thursdayEvening, 'Europe/Berlin', 'zh-CN')).toBe('我们将于明天 09:00 回来。');
    // Shanghai is already Friday 04:00; the opening is Friday 16:00 there.
    expect(words(fridayNineBerlin, thursdayEvening, 'Asia/Shanghai', 'en')).toBe("We're back today at 16:00.");
    expect(words(fridayNineBerlin, thursdayEvening, 'Asia/Shanghai', 'zh-CN')).toBe('我们将于今天 16:00 回来。');
    // New York: Thursday 15:00 now, Friday 03:00 then.
    expect(words(fridayNineBerlin, thursdayEvening, 'America/New_York', 'en')).toBe("We're back tomorrow at 03:00.");
  });

  it('names the weekday within the coming week', () => {
    // Friday 21:00 Berlin; back Monday 09:00 Berlin.
    const fridayNight = '2026-12-04T20:00:00Z';
    const mondayNineBerlin = '2026-12-07T08:00:00Z';
    expect(words(mondayNineBerlin, fridayNight, 'Europe/Berlin', 'en')).toBe("We're back on Monday at 09:00.");
    expect(words(mondayNineBerlin, fridayNight, 'Europe/Berlin', 'zh-CN')).toBe('我们将于星期一 09:00 回来。');
    expect(words(mondayNineBerlin, fridayNight, 'Asia/Shanghai', 'zh-CN')).toBe('我们将于星期一 16:00 回来。');
    expect(words(mondayNineBerlin, fridayNight, 'America/New_York', 'en')).toBe("We're back on Monday at 03:00.");
  });

  it('gives a date a week or more away (a holiday closure)', () => {
    const beforeHolidays = '2026-12-23T18:00:00Z';
    const afterHolidays = '2027-01-04T08:00:00Z';
    expect(words(afterHolidays, beforeHolidays, 'Europe/Berlin', 'en')).toBe("We're back on January 4 at 09:00.");
    expect(words(afterHolidays, beforeHolidays, 'Europe/Berlin', 'zh-CN')).toBe('我们将于1月4日 09:00 回来。');
  });

  it('counts calendar days, not 24-hour periods, across a DST change and around midnight', () => {
    // Saturday 28 March 2026 23:00 CET; Berlin springs forward that night; Monday 09:00 CEST is 07:00 UTC.
    expect(words('2026-03-30T07:00:00Z', '2026-03-28T22:00:00Z', 'Europe/Berlin', 'en')).toBe("We're back on Monday at 09:00.");
    // Sunday 23:59 CEST to Monday 00:30 CEST: 31 minutes, but tomorrow.
    expect(words('2026-03-29T22:30:00Z', '2026-03-29T21:59:00Z', 'Europe/Berlin', 'en')).toBe("We're back tomorrow at 00:30.");
    // New York falls back on 1 Nov 2026: Saturday 22:00 EDT to Monday 08:00 EST.
    expect(words('2026-11-02T13:00:00Z', '2026-11-01T02:00:00Z', 'America/New_York', 'en')).toBe("We're back on Monday at 08:00.");
  });

  it('says today for an opening that is now or already past (a stale answer)', () => {
    expect(words('2026-12-04T08:00:00Z', '2026-12-04T08:00:30Z', 'Europe/Berlin', 'en')).toBe("We're back today at 09:00.");
  });

  it('ignores a zone the runtime does not know instead of throwing', () => {
    expect(knownTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(knownTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    const back = returnTime(new Date('2026-12-04T08:00:00Z'), new Date('2026-12-03T20:00:00Z'), 'Mars/Olympus_Mons', 'en');
    expect(back.time).toMatch(/^\d\d:\d\d$/);
  });
});
