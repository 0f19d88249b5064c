import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { redisCommand } from '../support/redis-flush';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

/** The console heartbeats this often here, so a restore follows a lapse within seconds. */
const HEARTBEAT_SECONDS = 3;
const POLL = { timeout: HEARTBEAT_SECONDS * 1000 + 2 * STEP_MS, interval: 100 };

describe.skipIf(!HAVE_CHROMIUM)('the console when the server sets the agent offline (Redis is a cache)', { timeout: budget(12) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let context: BrowserContext | undefined;
  /** Frames the console's socket received, as text. */
  const received: string[] = [];
  const receivedStatus = (status: string, reason?: string) =>
    received.some((text) => {
      const frame = JSON.parse(text) as { type?: string; status?: string; reason?: string };
      return frame.type === 'status' && frame.status === status && frame.reason === reason;
    });

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([
      startLocalStack({
        httpPort: 0,
        wsPort: 0,
        demo: true,
        env: { HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS) },
        scheduleIntervalMs: 24 * 3600 * 1000,
      }),
      launchChromium(),
    ]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(email: string): Promise<Page> {
    context = await newContext(chromium.browser);
    const page = await context.newPage();
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))));
    await page.goto(stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('.topbar').waitFor({ timeout: 2 * STEP_MS });
    return page;
  }

  it('shows the lapse and why, keeps the agent’s choice, and is back online with the next heartbeat', async () => {
    const page = await signIn('agent.tech@example.com');
    const select = page.locator('select[name=status]');
    // The echo of the status the console says on connect has arrived: what follows is the server's doing.
    await expect.poll(() => receivedStatus('online'), POLL).toBe(true);
    expect((await stack.wiring().ports.presence.get('agent-tech'))?.status).toBe('online');
    expect(await select.inputValue()).toBe('online');
    // Record every time the note shows: the next heartbeat may restore the agent within seconds.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { notesSeen: string[] }).notesSeen = seen;
      const note = document.querySelector('.status-note')!;
      new MutationObserver(() => {
        if (!(note as HTMLElement).hidden)
          seen.push(`${(document.querySelector('select[name=status]') as HTMLSelectElement).value}: ${note.textContent}`);
      }).observe(note, { attributes: true, childList: true, characterData: true, subtree: true });
    });

    // Its presence runs out as if its heartbeats had stopped; the sweep takes it offline. (A
    // heartbeat landing between the two refreshes the presence first: then try again.)
    const lapseNoted = async () => {
      await redisCommand(stack, ['DEL', 'parley:alive:agent-tech']);
      await stack.runScheduled('reconcile');
      const notes = await page.evaluate(() => (window as unknown as { notesSeen: string[] }).notesSeen);
      return notes.some((note) => note.startsWith('offline: You were set offline because your connection stopped answering'));
    };
    await expect.poll(lapseNoted, POLL).toBe(true);

    // Its connection is alive: the next heartbeat restores what it chose, and the console shows it.
    await expect.poll(() => receivedStatus('online', 'restored'), POLL).toBe(true);
    expect(await select.inputValue()).toBe('online');
    await expect.poll(() => page.locator('.status-note').isHidden(), POLL).toBe(true);
    expect((await stack.wiring().ports.presence.get('agent-tech'))?.status).toBe('online');
    // The server's `offline` never became the agent's stored choice.
    expect(await page.evaluate(() => localStorage.getItem('parley-console:agent-tech:status'))).toBe('online');
    await screenshot(page, 'console-presence-restored');
  });
});
