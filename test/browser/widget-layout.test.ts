import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { beforeAllOrFail, budget, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, type LaunchedBrowser, launchChromium, screenshot } from './browser-support';
import { harnessCalls, openHarness, showState } from './support/widget-harness-page';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed.`);

const POLL = { timeout: 2 * STEP_MS, interval: 50 };
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The widget's focused element inside its shadow root, described as a person would point at it. */
function focused(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const active = document.querySelector('#parley-widget')?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    if (!active) return undefined;
    const name = active.getAttribute('aria-label') ?? active.getAttribute('name') ?? active.textContent?.trim();
    return `${active.tagName.toLowerCase()} ${name}`;
  });
}

/** Tabs forward until `target` is focused (at most `limit` presses); returns what was passed. */
async function tabTo(page: Page, target: string, limit = 25): Promise<string[]> {
  const passed: string[] = [];
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    const now = (await focused(page)) ?? 'outside the widget';
    passed.push(now);
    if (now === target) return passed;
  }
  throw new Error(`Tab never reached ${target}; it passed ${passed.join(', ')}`);
}

/** The rectangle of an element in the widget's shadow root, in viewport pixels. */
function box(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number } | undefined> {
  return page.evaluate((chosen) => {
    const element = document.querySelector('#parley-widget')?.shadowRoot?.querySelector(chosen);
    if (!element || (element as HTMLElement).offsetParent === null) return undefined;
    const { x, y, width, height } = element.getBoundingClientRect();
    return { x, y, width, height };
  }, selector);
}

/** Height of what scrolls the conversation: the nearest scrolling ancestor of its messages. */
function conversationViewport(page: Page): Promise<number> {
  return page.evaluate(() => {
    let element = document.querySelector('#parley-widget')?.shadowRoot?.querySelector('.messages li') as HTMLElement | null;
    while (element && !/(auto|scroll)/.test(getComputedStyle(element).overflowY)) element = element.parentElement;
    return element?.clientHeight ?? 0;
  });
}

describe.skipIf(!HAVE_CHROMIUM)('widget layout and keyboard use', { timeout: budget(8) }, () => {
  let chromium: LaunchedBrowser;
  const contexts: BrowserContext[] = [];

  beforeAllOrFail(async () => {
    chromium = await launchChromium();
  }, budget(2));

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
  });

  async function harnessAt(viewport: { width: number; height: number }): Promise<Page> {
    const context = await chromium.browser.newContext({ viewport, reducedMotion: 'reduce' });
    contexts.push(context);
    const page = await context.newPage();
    await openHarness(page, 'en');
    return page;
  }

  for (const [viewport, atLeast] of [
    [DESKTOP, 300],
    [PHONE, 450],
  ] as const) {
    it(`leaves the thread its room when the rating is asked for (${viewport.width} px)`, async () => {
      const page = await harnessAt(viewport);
      await showState(page, 'rating');
      await screenshot(page, `widget-layout-rating-${viewport.width}`);
      expect(await conversationViewport(page)).toBeGreaterThanOrEqual(atLeast);
      // The rating is scrolled into sight, with the end of the conversation above it.
      const thread = (await box(page, '.thread'))!;
      const stars = (await box(page, '.stars'))!;
      expect(stars.y + stars.height).toBeLessThanOrEqual(thread.y + thread.height);
      expect(stars.y).toBeGreaterThanOrEqual(thread.y);
    });
  }

  it('takes the whole screen on a phone, with a visible close button', async () => {
    const page = await harnessAt(PHONE);
    await showState(page, 'home');
    await screenshot(page, 'widget-layout-home-390');
    expect(await box(page, '.panel')).toEqual({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    const close = (await box(page, 'header .close'))!;
    expect(close.width).toBeGreaterThanOrEqual(40);
    expect(close.x + close.width).toBeLessThanOrEqual(PHONE.width);
    expect(await box(page, '.launcher')).toBeUndefined();
    await page.locator('.close').click();
    expect(await harnessCalls(page)).toEqual([['toggle']]);
  });

  it('stays a floating panel on a laptop', async () => {
    const page = await harnessAt(DESKTOP);
    await showState(page, 'home');
    const panel = (await box(page, '.panel'))!;
    expect(panel.width).toBeLessThanOrEqual(370);
    expect(panel.height).toBeLessThan(DESKTOP.height);
    expect(await box(page, '.launcher')).toBeDefined();
  });

  it('does everything from the keyboard: open, write, close, rate, retry, leave an email', async () => {
    const page = await harnessAt(DESKTOP);
    await showState(page, 'launcher');
    await tabTo(page, 'button Open chat (3)');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page), POLL).toBe('textarea Your message');
    await page.keyboard.type('Hello');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page), POLL).toBe('button Open chat');
    expect(await harnessCalls(page)).toEqual([['toggle'], ['send', 'Hello'], ['toggle']]);

    await showState(page, 'rating');
    await tabTo(page, 'input 1 out of 5');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await tabTo(page, 'button Send rating');
    await page.keyboard.press('Enter');
    await tabTo(page, 'button Start a new conversation');
    await page.keyboard.press('Enter');

    await showState(page, 'error');
    await tabTo(page, 'button Try again');
    await page.keyboard.press('Enter');
    await tabTo(page, 'button Leave your email instead');
    await page.keyboard.press('Enter');
    await tabTo(page, 'button Close chat');
    await page.keyboard.press('Enter');
    expect((await harnessCalls(page)).slice(3)).toEqual([['rate', 3, ''], ['newConversation'], ['retry'], ['leaveEmail'], ['toggle']]);
  });
});
