import { describe, expect, it } from 'vitest';
import { localeFrom, pickLocale, translator } from '../../../clients/web/i18n';

describe('page locale', () => {
  it('maps any Chinese tag to zh-CN and English tags to en', () => {
    expect(['zh', 'zh-CN', 'zh-Hans', 'zh-SG', 'ZH-cn'].map(localeFrom)).toEqual(['zh-CN', 'zh-CN', 'zh-CN', 'zh-CN', 'zh-CN']);
    expect(['en', 'en-GB', 'fr', '', null].map(localeFrom)).toEqual(['en', 'en', undefined, undefined, undefined]);
  });

  it('prefers the explicit setting, then the page, then the browser, then English', () => {
    expect(pickLocale('zh-CN', 'en', ['en-US'])).toBe('zh-CN');
    expect(pickLocale(undefined, 'zh', ['en-US'])).toBe('zh-CN');
    expect(pickLocale(undefined, 'fr', ['de-DE', 'zh-TW', 'en'])).toBe('zh-CN');
    expect(pickLocale(undefined, undefined, ['de-DE'])).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translator('en')('queued', { position: 2, eta: '4 min' })).toBe('You are number 2 in the queue. Expected wait: 4 min.');
    expect(translator('zh-CN')('queued', { position: 2, eta: '4 分钟' })).toBe('您在队列中排第 2 位，预计等待 4 分钟。');
    expect(translator('en')('typing')).toBe('{name} is typing…');
  });
});
