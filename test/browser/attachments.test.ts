import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
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
// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/**
 * Attachments (issue 11) in real pages: the customer picks an image in the widget, it uploads
 * to the local S3 endpoint on a presigned POST and is sent; the agent's console shows its
 * preview, loaded from a presigned GET. A file the allowlist refuses is refused in the widget.
 */
describe.skipIf(!HAVE_CHROMIUM)('attachments in the widget and the console', { timeout: budget(20) }, () => {
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
  }, STACK_START_MS + budget(4)); // the stack and chromium side by side; 2 contexts, 2 pages

  afterAll(async () => {
    if (customer) await screenshot(customer, 'attachments-widget').catch(() => undefined);
    if (agent) await screenshot(agent, 'attachments-console').catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  it('an image sent from the widget shows as a preview in the console', async () => {
    await customer.goto(stack.web!.demoUrl);
    await customer.locator('.launcher').click();
    const composer = customer.locator('.panel textarea[name=text]');
    await composer.fill('Here is a screenshot');
    await composer.press('Enter');
    await expect.poll(() => messageTexts(customer.locator('.panel .thread > .messages')), POLL).toEqual(['Here is a screenshot']);

    await agent.goto(stack.web!.consoleUrl);
    await agent.locator('input[name=email]').fill('agent.billing@example.com');
    await agent.locator('input[name=password]').fill('parley-demo');
    await agent.locator('button[type=submit]').click();
    await expect.poll(() => agent.locator('select[name=status]').inputValue(), POLL).toBe('online');
    const row = agent.locator('.conversations button').first();
    await expect.poll(() => row.count(), POLL).toBe(1);
    await row.click();
    await expect.poll(() => messageTexts(agent.locator('main .messages')), POLL).toEqual(['Here is a screenshot']);

    // A type outside the allowlist: refused in the widget, nothing uploaded or sent.
    const input = customer.locator('.panel input.attach-input');
    await input.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await expect.poll(() => customer.getByRole('alert').filter({ hasText: 'setup.exe cannot be sent' }).count(), POLL).toBe(1);

    await input.setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: PNG });
    // The customer's own copy, then the agent's: a preview whose image really loaded from the bucket.
    const own = customer.locator('.panel li.own img.attachment-preview');
    await expect.poll(() => own.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth), POLL).toBe(1);
    const preview = agent.locator('main .messages li img.attachment-preview');
    await expect.poll(() => preview.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth), POLL).toBe(1);
    expect(await preview.getAttribute('alt')).toBe('screen.png');
    expect(new URL((await preview.getAttribute('src'))!).pathname).toMatch(/^\/parley-attachments\/conversations\/[^/]+\/[0-9A-Z]{26}$/);
    await expect.poll(() => agent.locator('main .messages li figcaption').textContent(), POLL).toBe(`screen.png · ${PNG.length} B`);
  });
});
