import { describe, expect, it } from 'vitest';
import type { SkillAvailability } from '../../../clients/web/http-api';
import { translator } from '../../../clients/web/i18n';
import { awayText, presentationFor } from '../../../clients/widget/widget-mode';

const closed = (behaviour: SkillAvailability['behaviour']): SkillAvailability => ({
  skill: 'billing',
  open: false,
  agentsOnline: 0,
  nextOpening: '2026-12-04T08:00:00Z',
  behaviour,
  timeZone: 'Europe/Berlin',
});

describe('what the widget shows when nobody can answer', () => {
  it('chats as before when the team answers or availability is unknown', () => {
    const chat = { launcher: true, content: 'chat', away: false };
    expect(presentationFor(undefined, false)).toEqual(chat);
    expect(presentationFor({ ...closed('hide'), open: true, agentsOnline: 2 }, false)).toEqual(chat);
  });

  it('hide drops the launcher, form shows the contact form, queue chats with the away notice', () => {
    expect(presentationFor(closed('hide'), false)).toEqual({ launcher: false, content: 'chat', away: true });
    expect(presentationFor(closed('form'), false)).toEqual({ launcher: true, content: 'form', away: true });
    expect(presentationFor(closed('queue'), false)).toEqual({ launcher: true, content: 'chat', away: true });
  });

  it('treats open hours with nobody online like closed hours', () => {
    expect(presentationFor({ ...closed('form'), open: true, agentsOnline: 0 }, false).content).toBe('form');
  });

  it('keeps a conversation the visitor already has reachable, in every mode', () => {
    for (const behaviour of ['hide', 'form', 'queue'] as const) {
      expect(presentationFor(closed(behaviour), true)).toEqual({ launcher: true, content: 'chat', away: true });
    }
  });

  it('says when the team is back, that it is closed, or that nobody is online', () => {
    const now = new Date('2026-12-03T20:00:00Z');
    expect(awayText(closed('queue'), translator('en'), 'en', now, 'Europe/Berlin')).toBe("We're back tomorrow at 09:00.");
    expect(awayText(closed('queue'), translator('zh-CN'), 'zh-CN', now, 'Asia/Shanghai')).toBe('我们将于今天 16:00 回来。');
    const { nextOpening: _never, ...noOpening } = closed('queue');
    expect(awayText(noOpening, translator('en'), 'en', now, 'Europe/Berlin')).toBe("We're closed right now.");
    const worded = { ...closed('queue'), offHoursMessage: { en: 'The billing team is away.', 'zh-CN': '账务团队下班了。' } };
    expect(awayText(worded, translator('en'), 'en', now, 'Europe/Berlin')).toBe("The billing team is away. We're back tomorrow at 09:00.");
    expect(awayText(worded, translator('zh-CN'), 'zh-CN', now, 'Europe/Berlin')).toBe('账务团队下班了。我们将于明天 09:00 回来。');
    const nobody = { ...closed('queue'), open: true };
    expect(awayText(nobody, translator('en'), 'en', now, 'Europe/Berlin')).toBe('No agent is online right now.');
    expect(awayText(nobody, translator('zh-CN'), 'zh-CN', now, 'Europe/Berlin')).toBe('目前没有在线客服。');
  });
});
