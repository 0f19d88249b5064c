import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { postJson, RawClient, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)("the console's Reports view in a real browser", { timeout: budget(20) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  const contexts: BrowserContext[] = [];
  const sockets: RawClient[] = [];

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0, demo: true }), launchChromium()]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const socket of sockets) await socket.close().catch(() => undefined);
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(email: string): Promise<Page> {
    const context = await newContext(chromium.browser, 'en-US');
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('.topbar').waitFor(POLL);
    return page;
  }

  async function connect(path: string, body: Record<string, unknown>): Promise<RawClient> {
    const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
    const client = await RawClient.connect(stack.wsUrl, issued.token as string);
    sockets.push(client);
    await client.request({ action: 'sync' }, ['synced']);
    return client;
  }

  it('shows charts, the per-agent and per-skill tables, an agent’s ratings with comments and a CSV; agents have no Reports', async () => {
    // One rated chat: started, answered by the tech agent, a reply, closed, rated with a comment.
    const agent = await connect('/v1/auth/login', { email: 'agent.tech@example.com', password: 'parley-demo' });
    await agent.request({ action: 'status', status: 'online' }, ['status']);
    const customer = await connect('/v1/auth/guest', { name: 'Rita' });
    const started = await customer.request({ action: 'start', skill: 'tech', text: 'Help', clientMsgId: 'r1' }, ['conversation']);
    const conversationId = (started.conversation as { id: string }).id;
    await agent.waitFor((frame: Frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
    await agent.request({ action: 'message', conversationId, text: 'Hello Rita', clientMsgId: 'ar1' }, ['ack']);
    await customer.request({ action: 'close', conversationId }, ['closed']);
    await customer.request({ action: 'rate', conversationId, score: 5, comment: 'Lovely help' }, ['rated']);

    const page = await signIn('supervisor@example.com');
    await page.locator('[data-view-toggle=reports]').click();
    const view = page.locator('section.reports');
    await view.waitFor(POLL);
    // The rating reaches the report once its event is handled: show again until it does.
    const agentRow = view.locator('[data-report=agent] tbody tr[data-key=agent-tech]');
    await expect
      .poll(
        async () => {
          await view.locator('.report-range button[type=submit]').click();
          return (await agentRow.count()) > 0 ? await agentRow.locator('td').last().textContent() : '';
        },
        { timeout: 4 * STEP_MS, interval: 500 },
      )
      .toBe('Ratings');
    await expect.poll(() => agentRow.locator('td').nth(9).textContent(), POLL).toBe('5 (1)');
    expect(await agentRow.locator('td').nth(2).textContent()).toBe('1');
    expect(await view.locator('[data-report=skill] tbody tr[data-key=tech] td').nth(1).textContent()).toBe('1');
    for (const chart of ['volume', 'times', 'csat']) expect(await view.locator(`[data-chart=${chart}] canvas`).count(), chart).toBe(1);

    await agentRow.locator('[data-ratings=agent-tech]').click();
    await expect.poll(() => view.locator('[data-ratings-of=agent-tech] li').first().textContent(), POLL).toContain('Lovely help');

    const [download] = await Promise.all([page.waitForEvent('download'), view.locator('[data-action=csv]').click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^key,label,started,answered,/);
    expect(csv).toMatch(/\r\ntotal,Total,1,1,0,0,2,1,/);
    await screenshot(page, 'console-reports');

    const agentPage = await signIn('agent.tech@example.com');
    expect(await agentPage.locator('[data-view-toggle=reports]').count()).toBe(0);
  });
});
