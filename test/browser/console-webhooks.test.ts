import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../functions/domain/webhooks';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('webhooks in the console Settings', { timeout: budget(16) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let receiver: Server;
  let receiverUrl = '';
  const received: Array<{ headers: IncomingHttpHeaders; body: string; at: number }> = [];
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];

  beforeAllOrFail(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/parley`;
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const [index, page] of pages.entries()) await screenshot(page, `webhooks-${index}`).catch(() => undefined);
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  it('an admin adds a webhook, sees its secret once, sends a test that arrives signed, and reads the delivery log', async () => {
    const context = await newContext(chromium.browser);
    contexts.push(context);
    const page = await context.newPage();
    pages.push(page);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill('admin@example.com');
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('.topbar').waitFor(POLL);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('button', { name: 'Webhooks' }).click();
    const section = page.locator('section.webhooks-settings');
    await expect.poll(() => section.locator('table.webhooks-table tbody').textContent(), POLL).toContain('No webhooks yet.');

    // Refused by the server (not https to another host): the reason is shown, nothing stored.
    await section.locator('input[name=webhook-url]').fill('http://hooks.example.com/parley');
    await section.getByRole('checkbox', { name: 'message.created' }).check();
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.settings-status').textContent(), POLL).toContain('https');

    await section.locator('input[name=webhook-url]').fill(receiverUrl);
    await section.locator('input[name=webhook-description]').fill('CRM');
    await section.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => section.locator('.settings-status').textContent(), POLL).toBe(`Saved the webhook to ${receiverUrl}.`);
    const secret = (await section.locator('.webhook-secret code').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await expect
      .poll(() => section.locator('table.webhooks-table tbody tr', { hasText: receiverUrl }).textContent(), POLL)
      .toContain('message.created');

    await section.getByRole('button', { name: `Send test ${receiverUrl}` }).click();
    await expect.poll(() => received.length, POLL).toBe(1);
    const [ping] = received;
    expect(ping!.headers['parley-event']).toBe('webhook.ping');
    expect(verifySignature(secret, ping!.headers['parley-signature'] as string, ping!.body, Math.floor(ping!.at / 1000))).toEqual({
      valid: true,
    });
    const log = section.locator('.webhook-log');
    await expect
      .poll(async () => {
        await log.getByRole('button', { name: 'Refresh' }).click();
        return log.locator('tbody tr').first().textContent();
      }, POLL)
      .toContain('delivered');
    await expect.poll(() => log.locator('tbody tr').first().textContent(), POLL).toContain('204');

    // Disabling sticks; the secret is never in a listing.
    await section.getByRole('checkbox', { name: `Enabled ${receiverUrl}` }).uncheck();
    const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
    await expect.poll(async () => (await getJson(`${stack.httpUrl}/v1/webhooks`, body.token)).body.webhooks[0]?.enabled, POLL).toBe(false);
    expect(JSON.stringify((await getJson(`${stack.httpUrl}/v1/webhooks`, body.token)).body)).not.toContain(secret);
  });
});
