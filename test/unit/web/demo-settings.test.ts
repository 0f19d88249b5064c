import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const SCRIPT = readFileSync(new URL('../../../clients/web/demo-settings.js', import.meta.url), 'utf8');

/** Runs the demo page's settings script as the page would, at `search`, over what the host set before. */
function settingsAt(search: string, before?: object): unknown {
  const window: { location: { search: string }; ParleySettings?: object } = {
    location: { search },
    ...(before ? { ParleySettings: before } : {}),
  };
  runInNewContext(SCRIPT, { window, URLSearchParams });
  return window.ParleySettings;
}

describe('the demo page settings from its address', () => {
  it('takes the skill and language from the query', () => {
    expect(settingsAt('?skill=billing&lang=zh-CN')).toEqual({ skill: 'billing', locale: 'zh-CN' });
    expect(settingsAt('')).toEqual({});
  });

  it('keeps what the host page set, and the query wins', () => {
    expect(settingsAt('?skill=tech', { skill: 'billing', open: true })).toEqual({ skill: 'tech', open: true });
    expect(settingsAt('', { skill: 'billing' })).toEqual({ skill: 'billing' });
  });

  it('ignores values that are not a skill or a language tag', () => {
    expect(settingsAt('?skill=Bad%20Skill&lang=%3Cscript%3E')).toEqual({});
    expect(settingsAt(`?skill=${'a'.repeat(33)}`)).toEqual({});
  });
});
