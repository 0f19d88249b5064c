import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../clients/web/i18n';
import { beforeAllOrFail, budget } from '../support/setup';
import { ARTIFACTS_DIR, CHROMIUM_PATH, HAVE_CHROMIUM, type LaunchedBrowser, launchChromium, screenshot } from './browser-support';
import { openHarness, showState, WIDGET_STATES } from './support/widget-harness-page';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed.`);

const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
/** A laptop and a phone (the phone gets the full-screen panel). */
const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;
const BLOCKING = new Set(['serious', 'critical']);

// One page per language and width; each state is one axe run (a step) and a screenshot.
describe.skipIf(!HAVE_CHROMIUM)('widget accessibility (axe, WCAG 2.1 AA)', { timeout: budget(2 + 2 * WIDGET_STATES.length) }, () => {
  let chromium: LaunchedBrowser;
  const counts: Record<string, number> = {};

  beforeAllOrFail(async () => {
    chromium = await launchChromium();
  }, budget(2));

  afterAll(async () => {
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    await writeFile(join(ARTIFACTS_DIR, 'widget-axe-counts.json'), `${JSON.stringify(counts, null, 2)}\n`);
    await chromium?.close();
  });

  for (const locale of LOCALES) {
    for (const viewport of WIDTHS) {
      it(`has no serious or critical violations in any state (${locale}, ${viewport.width} px)`, async () => {
        // Reduced motion: axe measures colours at rest, not halfway through the panel's fade-in.
        const context = await chromium.browser.newContext({ locale, viewport, reducedMotion: 'reduce' });
        try {
          const page = await context.newPage();
          await openHarness(page, locale);
          const found: string[] = [];
          for (const state of WIDGET_STATES) {
            await showState(page, state);
            const result = await new AxeBuilder({ page })
              .include('#parley-widget')
              .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
              .analyze();
            const blocking = result.violations.filter((violation) => BLOCKING.has(violation.impact ?? ''));
            counts[`${locale} ${viewport.width} ${state}`] = blocking.reduce((sum, violation) => sum + violation.nodes.length, 0);
            for (const violation of blocking) {
              for (const node of violation.nodes)
                found.push(`${state}: ${violation.id} at ${node.target.join(' > ')}: ${node.failureSummary}`);
            }
            await screenshot(page, `widget-${state}-${locale}-${viewport.width}`);
          }
          expect(found).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }
});
