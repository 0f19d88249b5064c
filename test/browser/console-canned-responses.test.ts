import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('canned responses in a real browser', { timeout: budget(20) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  let customer: RawClient | undefined;

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const [index, page] of pages.entries()) await screenshot(page, `canned-${index}`).catch(() => undefined);
    for (const context of contexts) await context.close().catch(() => undefined);
    await customer?.close();
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(email: string): Promise<Page> {
    const context = await newContext(chromium.browser);
    contexts.push(context);
    const page = await context.newPage();
    pages.push(page);
    await page.goto(stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('.topbar').waitFor(POLL);
    return page;
  }

  it('an admin creates one for billing; an unknown placeholder is refused and saves nothing', async () => {
    const admin = await signIn('admin@example.com');
    await admin.getByRole('button', { name: 'Settings' }).click();
    await admin.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: 'Canned responses' }).click();
    const section = admin.locator('section.canned-settings');
    // The demo ones are listed.
    await expect.poll(() => section.locator('tbody tr').count(), POLL).toBeGreaterThan(3);

    await section.getByRole('button', { name: 'New canned response' }).click();
    await section.locator('input[name=shortcut]').fill('refund-status');
    await section.locator('input[name=title]').fill('Refund status');
    await section.locator('input[name=skill]').fill('billing');
    await section.locator('textarea[name=text]').fill('Hi {customer.name}, {agent.name} here: order {order.id} is refunded.');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.settings-status').textContent(), POLL).toContain('unknown placeholder {order.id}');

    await section
      .locator('textarea[name=text]')
      .fill('Hi {customer.name}, {agent.name} here: your refund is on its way to {customer.email}.');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.settings-status').textContent(), POLL).toBe('Saved /refund-status.');
    await expect.poll(() => section.locator('tbody tr', { hasText: '/refund-status' }).textContent(), POLL).toContain('billing');

    const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
    const stored = (await getJson(`${stack.httpUrl}/v1/canned-responses?skill=billing`, body.token)).body.cannedResponses;
    expect(stored.filter((entry: { shortcut: string }) => entry.shortcut === 'refund-status')).toEqual([
      expect.objectContaining({ title: 'Refund status', skill: 'billing', text: expect.stringContaining('{customer.email}') }),
    ]);
  });

  it('an agent inserts it with /shortcut from the keyboard, placeholders filled', async () => {
    const agent = await signIn('agent.billing@example.com');
    await expect.poll(() => agent.locator('select[name=status]').inputValue(), POLL).toBe('online');
    const guest = (await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Ann' })).body.token as string;
    customer = await RawClient.connect(stack.wsUrl, guest);
    await customer.request({ action: 'sync' }, ['synced']);
    customer.send({ action: 'start', skill: 'billing', text: 'Where is my refund?', clientMsgId: 'c-1' });
    await customer.waitFor((frame) => frame.type === 'assigned');

    await agent.locator('.conversations button').first().click();
    const composer = agent.locator('textarea[name=reply]');
    await composer.focus();
    await composer.pressSequentially('/refund-s', { delay: 5 });
    await expect.poll(() => composer.getAttribute('aria-expanded'), POLL).toBe('true');
    const active = agent.locator(`#${await composer.getAttribute('aria-activedescendant')}`);
    await expect.poll(() => active.locator('.shortcut').textContent(), POLL).toBe('/refund-status');
    await expect.poll(() => active.getAttribute('aria-selected'), POLL).toBe('true');
    await composer.press('Tab');
    await expect
      .poll(() => composer.inputValue(), POLL)
      .toBe('Hi Ann, Billie (billing) here: your refund is on its way to {customer.email}.');
    // The chat does not know the customer's email: that placeholder is selected, to be typed over.
    const selected = await composer.evaluate((field: HTMLTextAreaElement) => field.value.slice(field.selectionStart, field.selectionEnd));
    expect(selected).toBe('{customer.email}');
    await composer.pressSequentially('ann@example.com', { delay: 5 });
    await composer.press('Enter');
    await customer.waitFor((frame) => frame.type === 'message' && String(frame.text).endsWith('to ann@example.com.'));
  });

  it('arrow keys move through the list, Esc closes it, and the browse button searches', async () => {
    const agent = pages[1]!;
    const composer = agent.locator('textarea[name=reply]');
    await composer.fill('');
    await composer.pressSequentially('/', { delay: 5 });
    const firstId = await composer.getAttribute('aria-activedescendant');
    await composer.press('ArrowDown');
    await expect.poll(() => composer.getAttribute('aria-activedescendant'), POLL).not.toBe(firstId);
    await composer.press('Escape');
    await expect.poll(() => composer.getAttribute('aria-expanded'), POLL).toBe('false');
    expect(await composer.inputValue()).toBe('/');
    await composer.fill('');

    await agent.getByRole('button', { name: 'Canned responses' }).click();
    const search = agent.getByRole('combobox', { name: 'Search canned responses' });
    await expect.poll(() => search.evaluate((field) => field === document.activeElement), POLL).toBe(true);
    await search.pressSequentially('goodbye', { delay: 5 });
    await search.press('Enter');
    await expect.poll(() => composer.inputValue(), POLL).toBe('Thank you for contacting us. Have a great day!');
    await expect.poll(() => composer.evaluate((field) => field === document.activeElement), POLL).toBe(true);
  });
});
