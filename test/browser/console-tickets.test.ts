import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { guestToken } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)("the console's Tickets view in a real browser", { timeout: budget(16) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let context: BrowserContext;
  let zhContext: BrowserContext;
  let agent: Page;
  let ticketId: string;

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
    context = await newContext(chromium.browser);
    zhContext = await newContext(chromium.browser, 'zh-CN');
    agent = await context.newPage();
    const created = await postJson(
      `${stack.httpUrl}/v1/tickets`,
      { skill: 'billing', name: 'Form Fay', email: 'fay@example.com', message: 'Invoice 12 is wrong\nPlease check', clientMsgId: 'form-1' },
      await guestToken(stack, 'Form Fay'),
    );
    ticketId = created.body.ticket.id;
  }, STACK_START_MS + budget(4));

  afterAll(async () => {
    if (agent) await screenshot(agent, 'console-tickets').catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(page: Page, email: string, query = ''): Promise<void> {
    await page.goto(`${stack.web!.consoleUrl}${query}`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('[data-view-toggle]').waitFor();
  }

  it('an agent opens Tickets, reads the thread, assigns it to themself, replies (not emailed: said so) and solves it', async () => {
    await signIn(agent, 'agent.billing@example.com');
    await agent.locator('[data-view-toggle]').click();
    const row = agent.locator(`[data-ticket-id="${ticketId}"]`);
    await expect.poll(() => row.locator('strong').textContent(), POLL).toBe('Invoice 12 is wrong');
    await expect.poll(() => agent.locator('select[name=ticket-skill]').inputValue(), POLL).toBe('billing');
    await row.click();
    await expect
      .poll(() => agent.locator('.ticket-thread li').allTextContents(), POLL)
      .toEqual([expect.stringContaining('Invoice 12 is wrong')]);
    await agent.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => agent.locator('.ticket-controls').textContent(), POLL).toContain('Assignee: Billie (billing)');

    await agent.locator('textarea[name=ticket-reply]').fill('We are on it');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    // No mailer in this stack: stored, not emailed, and the console says so.
    await expect.poll(() => agent.locator('.tickets-view .error').textContent(), POLL).toMatch(/email was not sent/);
    await expect.poll(() => agent.locator('.ticket-detail .banner').textContent(), POLL).toContain('saved but not emailed');
    await expect.poll(() => row.locator('.badge').textContent(), POLL).toBe('Not emailed');
    await expect.poll(() => agent.locator('.ticket-thread li').count(), POLL).toBe(2);

    await agent.locator('select[name=ticket-state]').selectOption('solved');
    await agent.getByRole('tab', { name: 'Solved' }).click();
    await expect.poll(() => agent.locator(`[data-ticket-id="${ticketId}"]`).count(), POLL).toBe(1);
    const stored = await getJson(`${stack.httpUrl}/v1/tickets/${ticketId}`, await staffToken('agent.billing@example.com'));
    expect(stored.body.ticket).toMatchObject({ state: 'solved', assignee: { id: 'agent-billing' }, unsentReplySeq: 2 });
  });

  it('in Chinese', async () => {
    const page = await zhContext.newPage();
    await signIn(page, 'supervisor@example.com', '?lang=zh-CN');
    await expect.poll(() => page.locator('[data-view-toggle]').textContent(), POLL).toBe('工单');
    await page.locator('[data-view-toggle]').click();
    await expect.poll(() => page.getByRole('tab').allTextContents(), POLL).toEqual(['待处理', '等待客户', '已解决']);
    await page.close();
  });

  async function staffToken(email: string): Promise<string> {
    return (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  }
});
