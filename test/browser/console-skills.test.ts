import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)("the console's Skills settings in a real browser", { timeout: budget(16) }, () => {
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

  async function openSkills(locale: 'en' | 'zh-CN'): Promise<Page> {
    const context = await newContext(chromium.browser, locale === 'en' ? 'en-US' : 'zh-CN');
    contexts.push(context);
    const page = await context.newPage();
    // Deleting asks first.
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${stack.web!.consoleUrl}?lang=${locale}`);
    await page.locator('input[name=email]').fill('admin@example.com');
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page
      .locator('.topbar')
      .getByRole('button', { name: locale === 'en' ? 'Settings' : '设置' })
      .click();
    await page
      .getByRole('navigation', { name: locale === 'en' ? 'Settings sections' : '设置分类' })
      .getByRole('button', { name: locale === 'en' ? 'Skills' : '技能组' })
      .click();
    return page;
  }

  const storedSkills = async (): Promise<Array<{ id: string; names: Record<string, string>; default?: boolean }>> => {
    const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
    return (await getJson(`${stack.httpUrl}/v1/skills`, body.token)).body.skills;
  };

  it('an admin adds a skill from the keyboard, renames it and deletes it; a bad id saves nothing', async () => {
    const page = await openSkills('en');
    const section = page.locator('section.skills-settings');
    await expect.poll(() => section.locator('tbody tr').count(), POLL).toBe(3);
    expect(await section.locator('tbody tr[data-skill=general]').textContent()).toContain('(default)');
    // The default skill has no Delete.
    expect(
      await section
        .locator('tbody tr[data-skill=general]')
        .getByRole('button', { name: /^Delete/ })
        .count(),
    ).toBe(0);

    // An id the server would not take: said in the page, nothing stored.
    const before = await storedSkills();
    await section.locator('input[name=skill-id]').fill('VIP Desk');
    await section.locator('input[name=skill-name-en]').fill('VIP desk');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.settings-status.error').textContent(), POLL).toContain('"VIP Desk" is not allowed');
    expect(await storedSkills()).toEqual(before);

    // Keyboard only: type the fields, Tab between them, Enter submits.
    await section.locator('input[name=skill-id]').fill('');
    await section.locator('input[name=skill-id]').focus();
    await page.keyboard.type('vip');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name')), POLL).toBe('skill-name-en');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('VIP desk');
    await page.keyboard.press('Tab');
    await page.keyboard.type('贵宾');
    await page.keyboard.press('Enter');
    await expect.poll(() => section.locator('.settings-status').textContent(), POLL).toBe('Saved vip.');
    await expect.poll(() => section.locator('tbody tr[data-skill=vip]').textContent(), POLL).toContain('贵宾');
    expect((await storedSkills()).find((skill) => skill.id === 'vip')).toEqual({ id: 'vip', names: { en: 'VIP desk', 'zh-CN': '贵宾' } });

    // Renaming keeps the id (read-only while renaming) and changes the names.
    await section.getByRole('button', { name: 'Rename VIP desk' }).click();
    expect(await section.locator('input[name=skill-id]').getAttribute('readonly')).not.toBeNull();
    await section.locator('input[name=skill-name-en]').fill('VIP customers');
    await section.locator('input[name=skill-name-zh]').fill('');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await storedSkills()).find((skill) => skill.id === 'vip')?.names, POLL).toEqual({ en: 'VIP customers' });

    await section.getByRole('button', { name: 'Delete VIP customers' }).click();
    await expect.poll(() => section.locator('.settings-status').textContent(), POLL).toBe('Deleted vip.');
    expect((await storedSkills()).map((skill) => skill.id)).not.toContain('vip');
    await screenshot(page, 'console-skills-1280');

    // Back by keyboard: focus lands on the Settings button, not lost on the page.
    await page.getByRole('button', { name: 'Back to conversations' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), POLL).toBe('Settings');
  });

  it("deleting a skill in use shows the server's reason (which agents serve it) and deletes nothing; in Chinese at phone width", async () => {
    const page = await openSkills('zh-CN');
    await page.setViewportSize({ width: 390, height: 844 });
    const section = page.locator('section.skills-settings');
    await expect.poll(() => section.locator('h3').textContent(), POLL).toBe('技能组');
    await section.getByRole('button', { name: '删除 账单' }).click();
    await expect.poll(() => section.locator('.settings-status.error').textContent(), POLL).toContain('agents serve it (agent-billing');
    expect((await storedSkills()).map((skill) => skill.id)).toContain('billing');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await screenshot(page, 'console-skills-390');
  });
});
