import { describe, expect, it } from 'vitest';
import { awayNotice, noticeLanguage, wordOpening } from '../../../functions/domain/away-notice';

const at = (iso: string) => new Date(iso);
// Berlin office hours: opens Friday 2026-12-04 09:00 CET = 08:00 UTC.
const friday0900Berlin = at('2026-12-04T08:00:00Z');
const base = { open: false, agentsOnline: 0, nextOpening: friday0900Berlin };

describe('awayNotice', () => {
  it('says when the team is back, tomorrow, in English', () => {
    const text = awayNotice({ ...base, language: 'en', timeZone: 'Europe/Berlin', now: at('2026-12-03T17:00:00Z') });
    expect(text).toBe("We're away right now. We're back tomorrow at 09:00.");
  });

  it('says it in Simplified Chinese', () => {
    const text = awayNotice({ ...base, language: 'zh-CN', timeZone: 'Europe/Berlin', now: at('2026-12-03T17:00:00Z') });
    expect(text).toBe('我们现在不在线。我们将于明天 09:00 回来。');
  });

  it("words the time in the visitor's zone (09:00 Berlin is 16:00 the same day in Shanghai, 03:00 the next in New York)", () => {
    const now = at('2026-12-04T01:00:00Z'); // 09:00 Friday in Shanghai, 02:00 in Berlin
    expect(awayNotice({ ...base, language: 'zh-CN', timeZone: 'Asia/Shanghai', now })).toBe('我们现在不在线。我们将于今天 16:00 回来。');
    expect(awayNotice({ ...base, language: 'en', timeZone: 'America/New_York', now })).toBe(
      "We're away right now. We're back tomorrow at 03:00.",
    );
  });

  it('names the weekday within the week and the date beyond it', () => {
    const friday = at('2026-12-04T17:00:00Z');
    const monday = at('2026-12-07T08:00:00Z');
    expect(wordOpening('en', 'Europe/Berlin', friday, monday)).toBe('on Monday at 09:00');
    expect(wordOpening('zh-CN', 'Europe/Berlin', friday, monday)).toBe('星期一 09:00');
    const january = at('2027-01-04T08:00:00Z');
    expect(wordOpening('en', 'Europe/Berlin', friday, january)).toBe('on January 4 at 09:00');
    expect(wordOpening('zh-CN', 'Europe/Berlin', friday, january)).toBe('1月4日 09:00');
  });

  it("lets the admin's message replace the first sentence", () => {
    const offHoursMessage = { en: 'The billing team works weekdays.', 'zh-CN': '账单团队工作日在线。' };
    const now = at('2026-12-03T17:00:00Z');
    expect(awayNotice({ ...base, language: 'en', timeZone: 'Europe/Berlin', now, offHoursMessage })).toBe(
      "The billing team works weekdays. We're back tomorrow at 09:00.",
    );
    expect(awayNotice({ ...base, language: 'zh-CN', timeZone: 'Europe/Berlin', now, offHoursMessage })).toBe(
      '账单团队工作日在线。我们将于明天 09:00 回来。',
    );
    // A language the admin did not word keeps the default.
    expect(awayNotice({ ...base, language: 'zh-CN', timeZone: 'Europe/Berlin', now, offHoursMessage: { en: 'Closed.' } })).toMatch(
      /^我们现在不在线。/,
    );
  });

  it('says so when the team never opens again', () => {
    const { nextOpening: _none, ...closedForGood } = base;
    expect(awayNotice({ ...closedForGood, language: 'en', timeZone: 'UTC', now: at('2026-12-03T17:00:00Z') })).toBe(
      "We're away right now. We'll answer as soon as we're back.",
    );
  });

  it('says nobody is online when open without agents, and nothing when someone is', () => {
    const open = { open: true, timeZone: 'UTC', now: at('2026-12-03T10:00:00Z') };
    expect(awayNotice({ ...open, agentsOnline: 0, language: 'en' })).toBe(
      "Nobody is online right now; we'll answer as soon as someone is.",
    );
    expect(awayNotice({ ...open, agentsOnline: 0, language: 'zh-CN' })).toBe('现在没有人在线；有人上线后我们会尽快答复。');
    expect(awayNotice({ ...open, agentsOnline: 2, language: 'en' })).toBeUndefined();
  });
});

describe('noticeLanguage', () => {
  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['en-GB', 'en'],
    ['de', 'en'],
    [undefined, 'en'],
  ])('%s speaks %s', (tag, language) => {
    expect(noticeLanguage(tag)).toBe(language);
  });
});
