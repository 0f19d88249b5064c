import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import {
  ARTIFACTS_DIR,
  CHROMIUM_PATH,
  HAVE_CHROMIUM,
  launchChromium,
  messageTexts,
  newContext,
  recordWebSocketFrames,
  screenshot,
  type LaunchedBrowser,
} from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

// Each test waits on up to about a dozen polls, each bounded by POLL (2 steps).
describe.skipIf(!HAVE_CHROMIUM)('widget and agent console in a real browser', { timeout: budget(24) }, () => {
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
    rmSync(join(ARTIFACTS_DIR, 'websocket-frames.log'), { force: true });
    recordWebSocketFrames(customer, 'customer');
    recordWebSocketFrames(agent, 'agent');
  }, STACK_START_MS + budget(4)); // the stack and chromium side by side; 2 contexts, 2 pages

  afterAll(async () => {
    // Screenshots of both pages as they ended, passed or failed.
    if (customer) await screenshot(customer, 'widget').catch(() => undefined);
    if (agent) await screenshot(agent, 'console').catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  const widget = () => ({
    launcher: customer.locator('.launcher'),
    messages: customer.locator('.panel .thread > .messages'),
    composer: customer.locator('.panel textarea[name=text]'),
    notice: customer.locator('.panel .notice'),
  });
  const consolePane = () => ({
    messages: agent.locator('main .messages'),
    composer: agent.locator('textarea[name=reply]'),
    banner: agent.locator('.banner'),
  });

  async function customerSays(text: string): Promise<void> {
    await widget().composer.fill(text);
    await widget().composer.press('Enter');
  }

  async function agentSays(text: string): Promise<void> {
    await consolePane().composer.fill(text);
    await consolePane().composer.press('Enter');
  }

  it('serves the demo page, widget.js, config.js and the console', async () => {
    expect(stack.web).toBeDefined();
    const widgetJs = await fetch(stack.web!.widgetUrl);
    expect(widgetJs.status).toBe(200);
    expect(widgetJs.headers.get('content-type')).toMatch(/javascript/);
    const config = await (await fetch(`${stack.httpUrl}/config.js`)).text();
    expect(config).toContain(JSON.stringify(stack.wsUrl));
    expect((await fetch(stack.web!.consoleUrl)).status).toBe(200);
    expect((await fetch(`${stack.httpUrl}/demo/../../etc/passwd`)).status).toBe(404);
  });

  it('a customer opens the widget on the demo page and waits in the queue', async () => {
    await customer.goto(stack.web!.demoUrl);
    await widget().launcher.click();
    await customerSays('Hello, my invoice is wrong');
    // Shown at once, then queued: nobody is online yet.
    await expect.poll(() => messageTexts(widget().messages), POLL).toEqual(['Hello, my invoice is wrong']);
    // Nobody is online: no invented ETA (issue 9).
    await expect.poll(() => widget().notice.textContent(), POLL).toBe('You are number 1 in the queue. No agent is online right now.');
    await expect
      .poll(() => widget().messages.locator('li.system').textContent(), POLL)
      .toMatch(/No agent is online|Nobody is online right now|We're away right now/);
  });

  it('an agent signs in, goes online and gets the conversation', async () => {
    await agent.goto(stack.web!.consoleUrl);
    await agent.locator('input[name=email]').fill('agent.billing@example.com');
    await agent.locator('input[name=password]').fill('parley-demo');
    await agent.locator('button[type=submit]').click();
    await expect.poll(() => agent.locator('select[name=status]').inputValue(), POLL).toBe('online');
    await expect.poll(() => consolePane().banner.isHidden(), POLL).toBe(true);

    const row = agent.locator('.conversations button').first();
    await expect.poll(() => row.locator('.name').textContent(), POLL).toBe('Visitor');
    await expect.poll(() => row.locator('.unread').textContent(), POLL).toBe('1');
    await expect.poll(() => row.locator('.waiting').textContent(), POLL).toMatch(/^waiting /);
    await row.click();
    await expect.poll(() => messageTexts(consolePane().messages), POLL).toEqual(['Hello, my invoice is wrong']);
    await expect.poll(() => row.locator('.unread').count(), POLL).toBe(0);
    await expect.poll(() => agent.locator('.details').textContent(), POLL).toContain('Visitor');
    await expect.poll(() => widget().notice.textContent(), POLL).toBe('You are chatting with Billie (billing).');
  });

  it('they talk, with typing and read state', async () => {
    // The agent has the conversation open, so the customer's message shows as read.
    await expect.poll(() => customer.locator('.panel li.own').first().getAttribute('class'), POLL).toContain('read');
    await widget().composer.pressSequentially('Also', { delay: 5 });
    await expect.poll(() => agent.locator('.typing').textContent(), POLL).toContain('is typing');
    await widget().composer.fill('');

    // A demo canned response (local/seed.ts), by its shortcut.
    await consolePane().composer.pressSequentially('/mom', { delay: 5 });
    await expect.poll(() => agent.locator('[role=option][aria-selected=true] .shortcut').textContent(), POLL).toBe('/moment');
    await consolePane().composer.press('Enter');
    await expect.poll(() => consolePane().composer.inputValue(), POLL).toBe('Thanks, give me a moment to look into this.');
    await agentSays('Sorry about that, let me check.');
    await expect
      .poll(() => messageTexts(widget().messages), POLL)
      .toEqual(['Hello, my invoice is wrong', 'Sorry about that, let me check.']);
    await expect.poll(() => agent.locator('main li.own').last().getAttribute('class'), POLL).toContain('read');
  });

  it('the customer reloads mid-conversation: nothing is lost or doubled', async () => {
    await customerSays('It says 120 instead of 100');
    // Reload straight away: the send may or may not have been acknowledged yet.
    await customer.reload();
    // The panel stays open across page loads in the tab.
    await customer.locator('.panel').waitFor({ state: 'visible' });
    const expected = ['Hello, my invoice is wrong', 'Sorry about that, let me check.', 'It says 120 instead of 100'];
    await expect.poll(() => messageTexts(widget().messages), POLL).toEqual(expected);
    await expect.poll(() => messageTexts(consolePane().messages), POLL).toEqual(expected);
    await customerSays('Did you find it?');
    await expect.poll(() => messageTexts(consolePane().messages), POLL).toEqual([...expected, 'Did you find it?']);
  });

  it('the agent goes offline and back: nothing is lost or doubled', async () => {
    await agentContext.setOffline(true);
    await expect.poll(() => consolePane().banner.textContent(), POLL).toContain('offline');
    await customerSays('Hello? Are you still there?');
    await agentSays('Yes, fixing it now.');
    await expect.poll(() => agent.locator('main li.own.sending').count(), POLL).toBe(1);
    await agentContext.setOffline(false);

    const expected = [
      'Hello, my invoice is wrong',
      'Sorry about that, let me check.',
      'It says 120 instead of 100',
      'Did you find it?',
      'Hello? Are you still there?',
      'Yes, fixing it now.',
    ];
    await expect.poll(() => messageTexts(consolePane().messages), POLL).toEqual(expected);
    await expect.poll(() => messageTexts(widget().messages), POLL).toEqual(expected);
    await expect.poll(() => consolePane().banner.isHidden(), POLL).toBe(true);
    await expect.poll(() => agent.locator('main li.own.sending').count(), POLL).toBe(0);
  });

  it('the agent reloads the console and still has the conversation, once', async () => {
    await agent.reload();
    await agent.locator('.conversations button').first().click();
    await expect.poll(() => messageTexts(consolePane().messages), POLL).toHaveLength(6);
    expect(new Set(await messageTexts(consolePane().messages)).size).toBe(6);
  });

  it('the agent closes the conversation and the customer rates it', async () => {
    await agent.getByRole('button', { name: 'Close conversation' }).click();
    await customer.locator('.rating').waitFor({ state: 'visible' });
    await customer.locator('.rating label[data-score="5"]').click();
    await customer.getByRole('button', { name: 'Send rating' }).click();
    await expect.poll(() => customer.locator('.rating p.rated').isVisible(), POLL).toBe(true);
    expect(await customer.locator('.rating p.rated').textContent()).toBe('Thank you for your feedback!');
  });

  it('a Chinese-speaking visitor uses the pre-chat form and the keyboard', async () => {
    const context = await newContext(chromium.browser, 'zh-CN');
    try {
      const page = await context.newPage();
      await page.addInitScript(() => {
        (window as { ParleySettings?: object }).ParleySettings = { locale: 'zh-CN', preChat: true };
      });
      await page.goto(stack.web!.demoUrl);
      await page.getByRole('button', { name: '打开聊天' }).focus();
      await page.keyboard.press('Enter');
      const launcher = page.locator('.launcher');
      expect(await launcher.getAttribute('aria-expanded')).toBe('true');
      expect(await launcher.getAttribute('aria-label')).toBe('关闭聊天');
      await page.locator('form.prechat').getByLabel('姓名').fill('Li Lei');
      await page.locator('form.prechat').getByLabel('邮箱').fill('li.lei@example.com');
      await page.getByRole('button', { name: '开始聊天' }).click();
      await page.getByLabel('您的消息').fill('你好，我的账单有问题');
      await page.keyboard.press('Enter');
      await expect.poll(() => messageTexts(page.locator('.panel .thread > .messages')), POLL).toEqual(['你好，我的账单有问题']);
      await expect.poll(() => page.locator('.panel .notice').textContent(), POLL).toBe('正在为您服务的是 Billie (billing)。');

      const row = agent.locator('.conversations li:not(.closed) button').first();
      await expect.poll(() => row.locator('.name').textContent(), POLL).toBe('Li Lei');
      await row.click();
      await expect.poll(() => messageTexts(consolePane().messages), POLL).toEqual(['你好，我的账单有问题']);

      await screenshot(page, 'widget-zh-CN');
      // Escape closes the panel and gives focus back to the launcher.
      await page.getByLabel('您的消息').focus();
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('.panel').isHidden(), POLL).toBe(true);
      expect(
        await launcher.evaluate(
          (element) => element.getRootNode() instanceof ShadowRoot && (element.getRootNode() as ShadowRoot).activeElement === element,
        ),
      ).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('the agent transfers to a skill nobody serves yet; a supervisor sees the queue and every conversation', async () => {
    await agent.locator('details.transfer summary').click();
    // The picker offers the configured skills by name and the online agents but the sender.
    const skillOptions = agent.locator('select[name=toSkill] option');
    await expect.poll(() => skillOptions.allTextContents(), POLL).toEqual(expect.arrayContaining(['Billing', 'Tech support']));
    expect(await agent.locator('select[name=toAgentId] option').allTextContents()).toEqual(['—']);
    await agent.locator('select[name=toSkill]').selectOption('tech');
    await agent.locator('input[name=note]').fill('Needs a refund in CNY');
    await agent.getByRole('button', { name: 'Transfer', exact: true }).click();
    // No longer the sender's: shown read-only, saying where it went, with no Close or composer.
    const transferred = 'Transferred to Tech support; it is no longer yours.';
    await expect.poll(() => agent.locator('main p.transferred').textContent(), POLL).toBe(transferred);
    expect(await agent.getByRole('button', { name: 'Close conversation' }).isVisible()).toBe(false);
    expect(await agent.locator('main form.composer').isVisible()).toBe(false);
    await expect.poll(() => agent.locator('.conversations .transferred').textContent(), POLL).toBe(transferred);

    const context = await newContext(chromium.browser);
    try {
      const supervisor = await context.newPage();
      await supervisor.goto(stack.web!.consoleUrl);
      await supervisor.locator('input[name=email]').fill('supervisor@example.com');
      await supervisor.locator('input[name=password]').fill('parley-demo');
      await supervisor.locator('button[type=submit]').click();
      // Supervisors start away: they take conversations only when they choose to.
      await expect.poll(() => supervisor.locator('select[name=status]').inputValue(), POLL).toBe('away');
      // The queues are on the Team screen (read when shown, then every TEAM_POLL_MS).
      await supervisor.locator('[data-view-toggle=team]').click();
      const techCard = supervisor.locator('.queue-card[data-skill=tech]');
      await expect.poll(() => techCard.locator('.queue-depth').textContent(), POLL).toBe('1 waiting');
      await supervisor.getByRole('button', { name: 'Back to conversations' }).click();
      await expect
        .poll(() => supervisor.locator('.conversations .name').allTextContents(), POLL)
        .toEqual(expect.arrayContaining(['Li Lei', 'Visitor']));
      await screenshot(supervisor, 'console-supervisor');
    } finally {
      await context.close();
    }
  });
  it(
    'the console keeps no access token in storage, and Sign out ends the session on the server',
    async () => {
      const stored = await agent.evaluate(() => Object.entries(localStorage));
      // Only the refresh token is stored; the access token (a JWT) lives in memory.
      expect(stored.some(([, value]) => value.includes('eyJ'))).toBe(false);
      const refreshToken = (JSON.parse(stored.find(([key]) => key === 'parley-console:refresh')?.[1] ?? '{}') as { refreshToken?: string })
        .refreshToken;
      expect(refreshToken).toMatch(/\./);
      await agent.getByRole('button', { name: 'Sign out' }).click();
      await agent.locator('input[name=email]').waitFor({ state: 'visible' });
      expect(await agent.evaluate(() => localStorage.getItem('parley-console:refresh'))).toBeNull();
      const refused = await postJson(`${stack.httpUrl}/v1/auth/refresh`, { refreshToken });
      expect(refused.status).toBe(401);
    },
    budget(4),
  );
});
