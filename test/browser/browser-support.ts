import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's chromium, which .ci/run installs when missing. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM_PATH);
export const ARTIFACTS_DIR = resolve('test-artifacts', 'browser');

export interface LaunchedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Headless chromium with nothing phoning home; Playwright gives each launch a fresh temporary profile. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close().catch(() => undefined),
  };
}

export async function newContext(browser: Browser, locale = 'en-US'): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1200, height: 800 } });
  context.setDefaultTimeout(15_000);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Appends every WebSocket frame a page sends and receives to a log next to the screenshots,
 * so a failure in CI can be read frame by frame (URLs without their token).
 */
export function recordWebSocketFrames(page: Page, label: string, file = join(ARTIFACTS_DIR, 'websocket-frames.log')): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const write = (line: string) => appendFileSync(file, `${new Date().toISOString()} ${label} ${line}\n`);
  page.on('websocket', (socket) => {
    write(`open ${socket.url().split('?')[0]}`);
    socket.on('framesent', (frame) => write(`-> ${String(frame.payload)}`));
    socket.on('framereceived', (frame) => write(`<- ${String(frame.payload)}`));
    socket.on('close', () => write('closed'));
  });
}

/** The texts of a message list's chat messages (system notices left out), in order, as the user sees them. */
export async function messageTexts(list: Locator): Promise<string[]> {
  return list.locator('li.message:not(.system) .text').allTextContents();
}
