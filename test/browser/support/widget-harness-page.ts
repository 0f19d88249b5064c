import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import type { Locale } from '../../../clients/web/i18n';
import type { WidgetState } from './widget-states';

export { WIDGET_STATES, type WidgetState } from './widget-states';

let bundled: Promise<string> | undefined;

/** The harness bundled as widget.js is (esbuild, once per test file). */
function harnessScript(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL('./widget-harness.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    charset: 'utf8',
  }).then((result) => result.outputFiles[0]!.text);
  return bundled;
}

/** A plain host page with the widget's view mounted in the given language. */
export async function openHarness(page: Page, locale: Locale): Promise<void> {
  await page.setContent(
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host page</title></head><body><main><h1>Host page</h1></main></body></html>`,
  );
  await page.addScriptTag({ content: await harnessScript() });
  await page.evaluate((chosen) => window.mountParleyHarness(chosen), locale);
}

export async function showState(page: Page, state: WidgetState): Promise<void> {
  await page.evaluate((chosen) => window.parleyHarness.show(chosen), state);
}

export function harnessCalls(page: Page): Promise<unknown[][]> {
  return page.evaluate(() => window.parleyHarness.calls);
}
