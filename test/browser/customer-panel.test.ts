import type { BrowserContext, Page } from 'playwright-core';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { HAVE_CHROMIUM, launchChromium, messageTexts, newContext, screenshot, type LaunchedBrowser } from './browser-support';

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

/**
 * Issue 10: an identified customer (email and attrs from the site's token) chats twice; the
 * agent's customer panel shows who they are, where they started and the first chat, opened
 * read-only; the widget lists the first chat under "Previous conversations". The console is
 * checked in English and Simplified Chinese.
 */
describe.skipIf(!HAVE_CHROMIUM)('the customer panel and previous conversations in a real browser', { timeout: budget(24) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let customerContext: BrowserContext;
  let agentContext: BrowserContext;
  let customer: Page;
  let agent: Page;

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
    customerContext = await newContext(chromium.browser);
    agentContext = await newContext(chromium.browser);
    customer = await customerContext.newPage();
    agent = await agentContext.newPage();
  }, STACK_START_MS + budget(4));

  afterAll(async () => {
    if (customer) await screenshot(customer, 'widget-previous-conversations').catch(() => undefined);
    if (agent) await screenshot(agent, 'console-customer-panel').catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function siteToken(): Promise<string> {
    const { key, issuer, audience } = stack.identifiedCustomer;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ name: 'Ann Lee', email: 'ann@shop.example', attrs: { plan: 'gold', seats: 12 } })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('ann-lee')
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode(key));
  }

  const widgetMessages = () => customer.locator('.panel .thread > .messages');
  const consoleMessages = () => agent.locator('main .messages');
  const panel = () => agent.locator('.customer-panel');

  async function customerSays(text: string): Promise<void> {
    await customer.locator('.panel textarea[name=text]').fill(text);
    await customer.locator('.panel textarea[name=text]').press('Enter');
  }

  it('the agent signs in and an identified customer chats once, then the agent closes it', async () => {
    await agent.goto(stack.web!.consoleUrl);
    await agent.locator('input[name=email]').fill('agent.billing@example.com');
    await agent.locator('input[name=password]').fill('parley-demo');
    await agent.locator('button[type=submit]').click();
    await expect.poll(() => agent.locator('select[name=status]').inputValue(), POLL).toBe('online');

    const token = await siteToken();
    await customer.addInitScript((value) => {
      (window as { ParleySettings?: object }).ParleySettings = { token: value };
    }, token);
    await customer.goto(`${stack.web!.demoUrl}?from=ads`);
    await customer.locator('.launcher').click();
    await customerSays('My first invoice is wrong');
    await agent.locator('.conversations button').first().click();
    await expect.poll(() => messageTexts(consoleMessages()), POLL).toEqual(['My first invoice is wrong']);
    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await customer.locator('.rating').waitFor({ state: 'visible' });
  });

  it('the widget lists the first chat under previous conversations and opens it read-only', async () => {
    await customer.getByRole('button', { name: 'Start a new conversation' }).click();
    await customerSays('And the second one too');
    const previous = customer.locator('details.previous');
    await previous.waitFor({ state: 'visible' });
    await previous.locator('summary').click();
    await expect.poll(() => previous.locator('.previous-item').count(), POLL).toBe(1);
    await previous.locator('.previous-item').click();
    await expect.poll(() => messageTexts(previous.locator('.messages')), POLL).toEqual(['My first invoice is wrong']);
    // Read-only: the current chat is untouched.
    await expect.poll(() => messageTexts(widgetMessages()), POLL).toEqual(['And the second one too']);
    await previous.getByRole('button', { name: 'Back to the list' }).click();
    await expect.poll(() => previous.locator('.previous-item').isVisible(), POLL).toBe(true);
  });

  it('the console panel shows the email, page, attributes and the past conversation, opened read-only', async () => {
    await expect.poll(() => agent.locator('.conversations button').count(), POLL).toBeGreaterThanOrEqual(2);
    await agent.locator('.conversations button').first().click();
    await expect.poll(() => messageTexts(consoleMessages()), POLL).toEqual(['And the second one too']);
    await expect.poll(() => panel().locator('.customer-facts').textContent(), POLL).toContain('ann@shop.example');
    const facts = await panel().locator('.customer-facts').textContent();
    expect(facts).toContain('plan');
    expect(facts).toContain('gold');
    expect(facts).toContain('seats');
    const page = panel().locator('.customer-facts a').first();
    expect(await page.getAttribute('href')).toContain('/demo/?from=ads');
    expect(await page.getAttribute('rel')).toBe('noopener noreferrer');
    expect(facts).toContain('HeadlessChrome');
    await expect.poll(() => panel().locator('.customer-past-item').count(), POLL).toBe(1);
    await panel().locator('.customer-past-item').click();
    await expect.poll(() => messageTexts(panel().locator('.customer-reader .messages')), POLL).toEqual(['My first invoice is wrong']);
    expect(await panel().locator('.customer-reader-title').textContent()).toMatch(/^Read-only: general, closed, /);
  });

  it('the panel speaks Simplified Chinese in a zh-CN console', async () => {
    await agent.goto(`${stack.web!.consoleUrl}?lang=zh-CN`);
    await agent.locator('.conversations button').first().click();
    await expect.poll(() => panel().locator('h2').textContent(), POLL).toBe('客户信息');
    await expect.poll(() => panel().locator('.customer-facts').textContent(), POLL).toContain('页面');
    await expect.poll(() => panel().locator('.customer-past-item').count(), POLL).toBe(1);
  });
});
