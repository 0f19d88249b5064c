import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)("the console's Settings screen in a real browser", { timeout: budget(16) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  const contexts: BrowserContext[] = [];

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(email: string, locale = 'en-US'): Promise<Page> {
    const context = await newContext(chromium.browser, locale);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(locale.startsWith('zh') ? `${stack.web!.consoleUrl}?lang=zh-CN` : stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('.topbar').waitFor(POLL);
    return page;
  }

  const storedHours = async (skill: string) => {
    const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
    return (await getJson(`${stack.httpUrl}/v1/skills/${skill}/hours`, body.token)).body.hours;
  };

  const storedAutoReplies = async (skill: string) => {
    const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
    return (await getJson(`${stack.httpUrl}/v1/skills/${skill}/auto-replies`, body.token)).body;
  };

  it('an admin sets business hours for a skill; a bad range is shown and saves nothing', async () => {
    const page = await signIn('admin@example.com');
    await page.getByRole('button', { name: 'Settings' }).click();
    const form = page.locator('form.hours-form');
    await expect.poll(() => form.locator('.settings-status').textContent(), POLL).toContain('no hours of its own');

    await form.locator('input[name=skill]').fill('billing');
    await form.getByRole('button', { name: 'Load' }).click();
    await form.locator('select[name=timeZone]').selectOption('Europe/Berlin');
    await form.locator('input[name=day-mon]').fill('09:00-12:00, 13:00-17:00');
    await form.locator('input[name=day-sat]').fill('22:00-06:00');
    await form.locator('textarea[name=closed]').fill('2026-12-24..2026-12-26 Christmas');
    await form.locator('select[name=behaviour]').selectOption('form');
    await form.locator('input[name="offHoursMessage-zh-CN"]').fill('账单团队工作日在线。');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.locator('.settings-status').textContent(), POLL).toBe('Saved.');
    expect(await storedHours('billing')).toEqual({
      timeZone: 'Europe/Berlin',
      weekly: {
        mon: [
          { from: '09:00', to: '12:00' },
          { from: '13:00', to: '17:00' },
        ],
        sat: [{ from: '22:00', to: '06:00' }],
      },
      closed: [{ from: '2026-12-24', to: '2026-12-26', label: 'Christmas' }],
      behaviour: 'form',
      offHoursMessage: { 'zh-CN': '账单团队工作日在线。' },
    });

    // Refused in the page (a range it cannot read) and by the API (too many ranges): both shown, nothing saved.
    await form.locator('input[name=day-tue]').fill('nine to five');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.locator('.settings-status.error').textContent(), POLL).toContain('nine to five');
    const eleven = Array.from(
      { length: 11 },
      (_, index) => `${String(index + 8).padStart(2, '0')}:00-${String(index + 8).padStart(2, '0')}:30`,
    );
    await form.locator('input[name=day-tue]').fill(eleven.join(', '));
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.locator('.settings-status.error').textContent(), POLL).toContain('at most 10 ranges');
    expect((await storedHours('billing')).weekly.tue).toBeUndefined();
    await screenshot(page, 'console-settings');
  });

  it('an admin writes auto-replies for a skill, tries a question against the unsaved rules, and a bad pattern saves nothing', async () => {
    const page = await signIn('admin@example.com');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('navigation').getByRole('button', { name: 'Auto-replies' }).click();
    const section = page.locator('section.auto-replies');
    await section.getByLabel(/^Skill/).fill('tech');
    await section.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => section.locator('.source').textContent(), POLL).toMatch(/^No auto-replies/);

    await section.getByLabel('Welcome message (English)').fill('Hi! Ask me anything.');
    await section.getByLabel('Bot name').fill('Tess');
    await section.getByRole('button', { name: 'Add rule' }).click();
    const rule = section.locator('ol.rules fieldset').first();
    await rule.getByLabel('Rule id').fill('refunds');
    await rule.getByLabel('Keywords (one per line)').fill('refund\nmoney back');
    await rule.getByLabel('Answer (English)').fill('Refunds reach your card within 5 days.');

    // Tried before saving: the server runs the bot's matcher on the rules as edited.
    await section.getByLabel('Try a question').fill('Can I get my money back?');
    await section.getByRole('button', { name: 'Test' }).click();
    await expect
      .poll(() => section.locator('.verdict').textContent(), POLL)
      .toBe('Rule "refunds" answers: Refunds reach your card within 5 days.');
    expect((await storedAutoReplies('tech')).source).not.toBe('skill');

    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.status').textContent(), POLL).toBe('Saved.');
    const saved = await storedAutoReplies('tech');
    expect(saved).toMatchObject({
      source: 'skill',
      autoReplies: {
        welcome: { en: 'Hi! Ask me anything.' },
        botName: 'Tess',
        rules: [{ id: 'refunds', keywords: ['refund', 'money back'], answer: { en: 'Refunds reach your card within 5 days.' } }],
      },
    });

    // A pattern RE2 cannot compile: the server says which rule, and nothing changes.
    await rule.getByLabel('Pattern (RE2, optional)').fill('(unclosed');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.status').textContent(), POLL).toMatch(/refunds|pattern/i);
    expect(await storedAutoReplies('tech')).toEqual(saved);
    await screenshot(page, 'console-auto-replies');
  });

  it('speaks Simplified Chinese, and only admins see Settings', async () => {
    const admin = await signIn('admin@example.com', 'zh-CN');
    await admin.getByRole('button', { name: '设置' }).click();
    await expect.poll(() => admin.locator('.settings h3').textContent(), POLL).toBe('营业时间');
    const supervisor = await signIn('supervisor@example.com');
    await expect.poll(() => supervisor.getByRole('button', { name: 'Sign out' }).isVisible(), POLL).toBe(true);
    expect(await supervisor.getByRole('button', { name: 'Settings' }).count()).toBe(0);
  });
});
