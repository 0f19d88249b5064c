import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { translator } from '../../clients/web/i18n';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import {
  CHROMIUM_PATH,
  HAVE_CHROMIUM,
  launchChromium,
  messageTexts,
  newContext,
  screenshot,
  type LaunchedBrowser,
} from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };
const t = translator('en');
const BILLIE = 'Billie (billing)';
const TESS = 'Tess (billing, tech)';

/**
 * A transfer seen by all three parties at every step (issue 10): the customer in the widget,
 * the sending agent and the receiving agent in their consoles. The receiving agent reads the
 * transfer note first; an internal note written afterwards never reaches the customer.
 */
describe.skipIf(!HAVE_CHROMIUM)('a transfer, as the customer and both agents see it', { timeout: budget(20) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  const contexts: BrowserContext[] = [];
  let customer: Page;
  let billie: Page;
  let tess: Page;

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
    const pages: Page[] = [];
    for (let index = 0; index < 3; index += 1) {
      const context = await newContext(chromium.browser);
      contexts.push(context);
      pages.push(await context.newPage());
    }
    [customer, billie, tess] = pages as [Page, Page, Page];
  }, STACK_START_MS + budget(4));

  afterAll(async () => {
    for (const [page, name] of [
      [customer, 'transfer-customer'],
      [billie, 'transfer-sender'],
      [tess, 'transfer-receiver'],
    ] as const) {
      if (page) await screenshot(page, name).catch(() => undefined);
    }
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  const notice = () => customer.locator('.panel .notice');
  const widgetThread = () => customer.locator('.panel .thread > .messages');

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('select[name=status]').inputValue(), POLL).toBe('online');
  }

  it('the customer chats with the first agent', async () => {
    await signIn(billie, 'agent.billing@example.com');
    await customer.goto(`${stack.web!.demoUrl}?skill=billing`);
    await customer.locator('.launcher').click();
    await customer.locator('.panel textarea[name=text]').fill('I was charged in the wrong currency');
    await customer.locator('.panel textarea[name=text]').press('Enter');
    await expect.poll(() => notice().textContent(), POLL).toBe(t('assigned', { name: BILLIE }));
    await billie.locator('.conversations button').first().click();
    await expect.poll(() => messageTexts(billie.locator('main .messages')), POLL).toEqual(['I was charged in the wrong currency']);
  });

  it('transferred to a skill nobody is online for: the customer waits, the sender keeps it read-only', async () => {
    await billie.locator('details.transfer summary').click();
    await billie.locator('select[name=toSkill]').selectOption('tech');
    await billie.locator('input[name=note]').fill('Wants a refund in CNY; invoice 42');
    await billie.getByRole('button', { name: 'Transfer', exact: true }).click();

    const transferred = t('transferredTo', { target: 'Tech support' });
    await expect.poll(() => billie.locator('main p.transferred').textContent(), POLL).toBe(transferred);
    expect(await billie.getByRole('button', { name: 'Close conversation' }).isVisible()).toBe(false);
    expect(await billie.locator('main form.composer').isVisible()).toBe(false);
    // Waiting again, and told so: never "chatting with" the agent who let go.
    await expect.poll(() => notice().textContent(), POLL).not.toContain(BILLIE);
    await expect.poll(() => notice().textContent(), POLL).toMatch(/queue/);
  });

  it('the next agent comes online, gets it with the transfer note first, and the customer sees their name', async () => {
    await signIn(tess, 'agent.tech@example.com');
    await expect.poll(() => notice().textContent(), POLL).toBe(t('assigned', { name: TESS }));
    await tess.locator('.conversations button').first().click();
    const note = tess.locator('main .messages li.note');
    await expect.poll(() => note.locator('.note-label').textContent(), POLL).toBe(`${t('transferNoteLabel')} · ${BILLIE}`);
    expect(await note.textContent()).toContain('Wants a refund in CNY; invoice 42');
    await expect.poll(() => messageTexts(tess.locator('main .messages')), POLL).toContain('I was charged in the wrong currency');
  });

  it('an internal note reaches staff only; a reply reaches the customer', async () => {
    await tess.getByRole('button', { name: t('noteMode') }).click();
    await tess.locator('textarea[name=reply]').fill('Checked: the exchange rate was applied twice');
    await tess.locator('textarea[name=reply]').press('Enter');
    await expect
      .poll(() => tess.locator('main .messages li.note').allTextContents(), POLL)
      .toContainEqual(expect.stringContaining('the exchange rate was applied twice'));
    await tess.getByRole('button', { name: t('replyMode') }).click();
    await tess.locator('textarea[name=reply]').fill('I have refunded the difference.');
    await tess.locator('textarea[name=reply]').press('Enter');
    await expect
      .poll(() => messageTexts(widgetThread()), POLL)
      .toEqual(['I was charged in the wrong currency', 'I have refunded the difference.']);
    const everything = await customer.locator('.panel').textContent();
    expect(everything).not.toContain('exchange rate was applied twice');
    expect(everything).not.toContain('Wants a refund in CNY');
  });
});
