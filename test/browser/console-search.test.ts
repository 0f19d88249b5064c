import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { waitFor } from '../support/wait';
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
const CUSTOMER_TEXT = 'My parcel 4417 never arrived';

/**
 * Issue 11: the console's search box. A conversation held by the tech agent is found by a
 * supervisor by words (marked in the snippet) and by the customer's name, and opens in the
 * chat pane; the billing agent, who never took part, finds nothing.
 */
describe.skipIf(!HAVE_CHROMIUM)("the console's search box in a real browser", { timeout: budget(16) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let supervisorContext: BrowserContext;
  let agentContext: BrowserContext;
  let supervisor: Page;
  let agent: Page;
  let conversationId: string;

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
    supervisorContext = await newContext(chromium.browser);
    agentContext = await newContext(chromium.browser);
    supervisor = await supervisorContext.newPage();
    agent = await agentContext.newPage();
    // A chat over the WebSocket API: the tech agent takes it and answers.
    const connect = async (path: string, body: Record<string, unknown>) => {
      const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
      const client = await RawClient.connect(stack.wsUrl, issued.token as string);
      await client.request({ action: 'sync' }, ['synced']);
      return { client, token: issued.token as string };
    };
    const tech = await connect('/v1/auth/login', { email: 'agent.tech@example.com', password: 'parley-demo' });
    await tech.client.request({ action: 'status', status: 'online' }, ['status']);
    const customer = await connect('/v1/auth/guest', { name: 'Quinn Avery' });
    const started = await customer.client.request({ action: 'start', skill: 'tech', text: CUSTOMER_TEXT, clientMsgId: 'q-1' }, [
      'conversation',
    ]);
    conversationId = (started.conversation as { id: string }).id;
    await tech.client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
    await tech.client.request({ action: 'message', conversationId, clientMsgId: 't-1', text: 'Sorry, I will trace it' }, ['ack']);
    // Indexed through the events queue: wait until the tech agent's scope has the conversation.
    await waitFor(async () => (await getJson(`${stack.httpUrl}/v1/search?q=parcel`, tech.token)).body.results?.length === 1, {
      message: 'the conversation indexed',
      timeoutMs: budget(3),
      intervalMs: 100,
    });
    await Promise.all([tech.client.close(), customer.client.close()]);
  }, STACK_START_MS + budget(10));

  afterAll(async () => {
    if (supervisor) await screenshot(supervisor, 'console-search').catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('input[name=search]').waitFor();
  }

  async function searchFor(page: Page, text: string, scope: 'messages' | 'customers'): Promise<void> {
    await page.locator('select[name=search-in]').selectOption(scope);
    await page.locator('input[name=search]').fill(text);
    await page.locator('input[name=search]').press('Enter');
  }

  it('a supervisor finds the conversation by words and by name, and opens it', async () => {
    await signIn(supervisor, 'supervisor@example.com');
    await searchFor(supervisor, 'parcel 4417', 'messages');
    const hit = supervisor.locator(`.search-hit[data-conversation-id="${conversationId}"]`);
    await expect.poll(() => hit.locator('.search-hit-customer').textContent(), POLL).toBe('Quinn Avery');
    expect(await hit.locator('.search-hit-snippet').textContent()).toBe(CUSTOMER_TEXT);
    expect(await hit.locator('mark').allTextContents()).toEqual(['parcel', '4417']);
    expect(await hit.locator('.search-hit-meta').textContent()).toMatch(/^tech · assigned · /);
    await hit.click();
    await expect.poll(() => messageTexts(supervisor.locator('main .messages')), POLL).toEqual([CUSTOMER_TEXT, 'Sorry, I will trace it']);

    await searchFor(supervisor, 'qui av', 'customers');
    await expect.poll(() => supervisor.locator('.search-hit mark').allTextContents(), POLL).toEqual(['Qui', 'Av']);
  });

  it('an agent who never took part finds nothing', async () => {
    await signIn(agent, 'agent.billing@example.com');
    await searchFor(agent, 'parcel', 'messages');
    await expect.poll(() => agent.locator('.search-status').textContent(), POLL).toBe('Nothing found');
    expect(await agent.locator('.search-hit').count()).toBe(0);
  });
});
