import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { guestToken } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { waitFor } from '../support/wait';
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
  let bounceTicketId: string;
  const BOUNCE = 'bounce@simulator.amazonses.com';

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
    // A customer whose address bounces (SES's mailbox simulator): the first reply goes out and
    // bounces, which marks the address.
    const bouncing = await postJson(
      `${stack.httpUrl}/v1/tickets`,
      { skill: 'billing', name: 'Bo Unce', email: BOUNCE, message: 'Where is my parcel?', clientMsgId: 'form-2' },
      await guestToken(stack, 'Bo Unce'),
    );
    bounceTicketId = bouncing.body.ticket.id;
    const token = await staffToken('agent.billing@example.com');
    const first = await postJson(`${stack.httpUrl}/v1/tickets/${bounceTicketId}/replies`, { text: 'Checking', clientMsgId: 'b-1' }, token);
    expect(first.status).toBe(201);
    await waitFor(
      async () => (await getJson(`${stack.httpUrl}/v1/tickets/${bounceTicketId}`, token)).body.ticket.customer.emailStatus === 'bounced',
      {
        timeoutMs: budget(3),
        message: 'the bounce marked the address',
      },
    );
  }, STACK_START_MS + budget(8));

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
    await page.locator('[data-view-toggle="tickets"]').waitFor();
  }

  it('an agent opens Tickets, reads the thread, assigns it to themself, replies (emailed) and solves it', async () => {
    await signIn(agent, 'agent.billing@example.com');
    await agent.locator('[data-view-toggle="tickets"]').click();
    const row = agent.locator(`[data-ticket-id="${ticketId}"]`);
    await expect.poll(() => row.locator('strong').textContent(), POLL).toBe('Invoice 12 is wrong');
    await expect.poll(() => agent.locator('select[name=ticket-skill]').inputValue(), POLL).toBe('billing');
    await row.click();
    await expect
      .poll(() => agent.locator('.ticket-thread li').allTextContents(), POLL)
      .toEqual([expect.stringContaining('Invoice 12 is wrong')]);
    await agent.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => agent.locator('.ticket-controls').textContent(), POLL).toContain('Assignee: Billie (billing)');

    // SES down for the first attempt (as the API answers it: 503, stored but not emailed): the
    // console says so and keeps the text; sending again reuses the same clientMsgId.
    const replyIds: string[] = [];
    await agent.route('**/v1/tickets/*/replies', async (route) => {
      replyIds.push((route.request().postDataJSON() as { clientMsgId: string }).clientMsgId);
      if (replyIds.length > 1) return route.fallback();
      return route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'unavailable', message: 'The reply was saved as message 2 but the email was not sent (SES)' },
        }),
      });
    });
    await agent.locator('textarea[name=ticket-reply]').fill('We are on it');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => agent.locator('.tickets-view .error').textContent(), POLL).toMatch(/email was not sent/);
    expect(await agent.locator('textarea[name=ticket-reply]').inputValue()).toBe('We are on it');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => agent.locator('.ticket-thread li').count(), POLL).toBe(2);
    expect(replyIds).toHaveLength(2);
    expect(replyIds[1]).toBe(replyIds[0]);
    await agent.unroute('**/v1/tickets/*/replies');
    await expect.poll(() => agent.locator('textarea[name=ticket-reply]').inputValue(), POLL).toBe('');
    // Emailed through the local SES: the mail is there, and the console shows nothing wrong.
    const mailed = stack.mail.sent().find((mail) => mail.purpose === 'ticket-reply' && mail.to.includes('fay@example.com'));
    expect(mailed?.text).toContain('We are on it');
    expect(await agent.locator('.ticket-detail .banner').count()).toBe(0);
    expect(await row.locator('.badge').count()).toBe(0);

    await agent.locator('select[name=ticket-state]').selectOption('solved');
    await agent.getByRole('tab', { name: 'Solved' }).click();
    await expect.poll(() => agent.locator(`[data-ticket-id="${ticketId}"]`).count(), POLL).toBe(1);
    const stored = await getJson(`${stack.httpUrl}/v1/tickets/${ticketId}`, await staffToken('agent.billing@example.com'));
    expect(stored.body.ticket).toMatchObject({ state: 'solved', assignee: { id: 'agent-billing' } });
    expect(stored.body.ticket.unsentReplySeq).toBeUndefined();
  });

  it('a ticket whose address bounced says so; a reply is saved, not emailed, and marked', async () => {
    await agent.getByRole('tab', { name: 'Pending' }).click();
    const row = agent.locator(`[data-ticket-id="${bounceTicketId}"]`);
    await row.click();
    await expect
      .poll(() => agent.locator('.ticket-detail .banner').textContent(), POLL)
      .toBe(`Mail to ${BOUNCE} bounced: replies are saved but not emailed. Ask the customer for another address.`);
    const sends = stack.mail.sendRequestCount();
    await agent.locator('textarea[name=ticket-reply]').fill('Are you there?');
    await agent.getByRole('button', { name: 'Send reply' }).click();
    await expect.poll(() => agent.locator('.tickets-view .error').textContent(), POLL).toMatch(/saved as message 3 but not emailed/);
    await expect.poll(() => agent.locator('.ticket-thread li').count(), POLL).toBe(3);
    await expect.poll(() => agent.locator(`[data-ticket-id="${bounceTicketId}"] .badge`).textContent(), POLL).toBe('Not emailed');
    expect(stack.mail.sendRequestCount()).toBe(sends);
  });

  it('in Chinese', async () => {
    const page = await zhContext.newPage();
    await signIn(page, 'supervisor@example.com', '?lang=zh-CN');
    await expect.poll(() => page.locator('[data-view-toggle="tickets"]').textContent(), POLL).toBe('工单');
    await page.locator('[data-view-toggle="tickets"]').click();
    await expect.poll(() => page.getByRole('tab').allTextContents(), POLL).toEqual(['待处理', '等待客户', '已解决']);
    await page.close();
  });

  async function staffToken(email: string): Promise<string> {
    return (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  }
});
