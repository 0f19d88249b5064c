import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SETTINGS_SECTIONS } from '../../clients/console/console-app';
import { type Locale, translator } from '../../clients/web/i18n';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { postJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };
const WIDTHS = [1280, 390] as const;
const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

type Role = 'agent' | 'supervisor' | 'admin';
const EMAIL: Record<Role, string> = {
  agent: 'agent.billing@example.com',
  supervisor: 'supervisor@example.com',
  admin: 'admin@example.com',
};
const CUSTOMER_NAME = 'Ann Axe';

/** One console screen: who can see it and how to get there from any other signed-in screen. */
interface ConsoleScreen {
  readonly name: string;
  readonly roles: readonly Role[];
  readonly reach: (page: Page, locale: Locale) => Promise<void>;
}

/** Back to the conversation workspace from Tickets or Settings. */
async function showWorkspace(page: Page, locale: Locale): Promise<void> {
  const t = translator(locale);
  for (const screen of ['.settings:visible', '.team:visible']) {
    const back = page.locator(screen).getByRole('button', { name: t('backToConversations') });
    if (await back.count()) await back.click();
  }
  const toggle = page.locator('[data-view-toggle="tickets"]');
  if ((await toggle.textContent()) === t('conversations')) await toggle.click();
  await page.locator('.workspace').waitFor({ state: 'visible', ...POLL });
}

/** Opens the customer's conversation in the chat pane. */
async function openConversation(page: Page, locale: Locale): Promise<void> {
  await showWorkspace(page, locale);
  await page.locator('.conversations button', { hasText: CUSTOMER_NAME }).first().click();
  await page.locator('.chat-head h2', { hasText: CUSTOMER_NAME }).waitFor(POLL);
}

async function openSettings(page: Page, locale: Locale, sectionTitle: string): Promise<void> {
  const t = translator(locale);
  await showWorkspace(page, locale);
  await page
    .locator('.topbar')
    .getByRole('button', { name: t('settings') })
    .click();
  await page
    .getByRole('navigation', { name: t('settingsSections') })
    .getByRole('button', { name: sectionTitle })
    .click();
  await page.locator('.settings-panel').waitFor({ state: 'visible', ...POLL });
  // Sections load their data on first open: check what the admin sees once it is there.
  await expect.poll(() => page.locator('.settings-panel [aria-busy="true"]').count(), POLL).toBe(0);
}

/**
 * Every console screen, each reached from wherever the page is. A new screen (a customer
 * context panel, a roster) is one row here; Settings sections come from SETTINGS_SECTIONS.
 */
const SCREENS: readonly ConsoleScreen[] = [
  // Signed in, nothing selected yet: the list with its unread badge.
  { name: 'conversation-list', roles: ['agent', 'supervisor', 'admin'], reach: showWorkspace },
  { name: 'conversations', roles: ['agent', 'supervisor', 'admin'], reach: openConversation },
  {
    // The agent's own bubble and its delivery status, written and sent from the keyboard.
    name: 'reply-sent',
    roles: ['agent'],
    reach: async (page, locale) => {
      await openConversation(page, locale);
      const composer = page.locator('textarea[name=reply]');
      await composer.focus();
      const text = `Checking your invoice (${locale}).`;
      await composer.pressSequentially(text, { delay: 5 });
      await composer.press('Enter');
      const delivery = page.locator('.message.own', { hasText: text }).locator('.delivery');
      await expect.poll(() => delivery.textContent(), POLL).not.toBe(translator(locale)('sending'));
    },
  },
  {
    name: 'transfer-picker',
    roles: ['agent'],
    reach: async (page, locale) => {
      await openConversation(page, locale);
      const tools = page.locator('details.transfer');
      if ((await tools.getAttribute('open')) === null) await tools.locator('summary').click();
      await tools.locator('select').first().waitFor(POLL);
    },
  },
  {
    name: 'canned-browse',
    roles: ['agent'],
    reach: async (page, locale) => {
      await openConversation(page, locale);
      const browse = page.locator('.composer-side button[aria-controls="canned-browse"]');
      if ((await browse.getAttribute('aria-expanded')) !== 'true') await browse.click();
      await page.locator('#canned-browse [role=listbox] [role=option]').first().waitFor(POLL);
    },
  },
  {
    name: 'tickets',
    roles: ['agent', 'supervisor', 'admin'],
    reach: async (page, locale) => {
      await showWorkspace(page, locale);
      await page.locator('[data-view-toggle="tickets"]').click();
      await page.locator('.tickets-view').waitFor({ state: 'visible', ...POLL });
    },
  },
  {
    // Supervisors' and admins' Team screen: queue cards and the roster.
    name: 'team',
    roles: ['supervisor', 'admin'],
    reach: async (page, locale) => {
      await showWorkspace(page, locale);
      await page.locator('[data-view-toggle="team"]').click();
      await page.locator('.team').waitFor({ state: 'visible', ...POLL });
      await page.locator('.team .roster li').first().waitFor(POLL);
    },
  },
  ...SETTINGS_SECTIONS.map(
    (section): ConsoleScreen => ({
      name: `settings-${section.id}`,
      roles: ['admin'],
      reach: (page, locale) => openSettings(page, locale, section.title(translator(locale))),
    }),
  ),
];

interface Finding {
  readonly where: string;
  readonly rule: string;
  readonly impact: string;
  readonly targets: string[];
}

describe.skipIf(!HAVE_CHROMIUM)('the console meets WCAG AA on every screen (axe), at 1280 and 390 px, in en and zh-CN', () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let customer: RawClient | undefined;
  const contexts: BrowserContext[] = [];
  /** Every serious or critical violation, and every minor or moderate one (reported, not failed on). */
  const blocking: Finding[] = [];
  const other: Finding[] = [];
  /** What is cut off or scrolls the page sideways. */
  const layout: string[] = [];

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
    const guest = (await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: CUSTOMER_NAME })).body.token as string;
    customer = await RawClient.connect(stack.wsUrl, guest);
    await customer.request({ action: 'sync' }, ['synced']);
    await customer.request({ action: 'start', skill: 'billing', text: 'My invoice is wrong.', clientMsgId: 'a11y-1' }, [
      'ack',
      'queued',
      'assigned',
    ]);
  }, STACK_START_MS + budget(4));

  afterAll(async () => {
    const count = (findings: Finding[]) =>
      Object.entries(
        findings.reduce<Record<string, number>>((counts, finding) => {
          counts[finding.rule] = (counts[finding.rule] ?? 0) + 1;
          return counts;
        }, {}),
      );
    console.info(
      `axe: ${blocking.length} serious/critical, ${other.length} minor/moderate; ${layout.length} layout problems`,
      JSON.stringify({ blocking: count(blocking), other: count(other), layout }, null, 1),
    );
    for (const context of contexts) await context.close().catch(() => undefined);
    await customer?.close();
    await chromium?.close();
    await stack?.stop();
  });

  async function openPage(locale: Locale): Promise<Page> {
    const context = await newContext(chromium.browser, locale === 'zh-CN' ? 'zh-CN' : 'en-US');
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${stack.web!.consoleUrl}?lang=${locale}`);
    await page.locator('input[name=email]').waitFor(POLL);
    return page;
  }

  /** Runs axe on what is shown; at phone width the page must not scroll sideways either. */
  async function check(page: Page, where: string, width: number): Promise<void> {
    await page.setViewportSize({ width, height: width > 600 ? 800 : 844 });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    for (const violation of results.violations) {
      const finding = {
        where: `${where}@${width}`,
        rule: violation.id,
        impact: violation.impact ?? 'unknown',
        targets: violation.nodes.map((node) => node.target.join(' ')),
      };
      (BLOCKING_IMPACTS.has(finding.impact) ? blocking : other).push(finding);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 0) layout.push(`${where}@${width} scrolls sideways by ${overflow} px`);
    await screenshot(page, `console-a11y-${where}-${width}`);
  }

  for (const locale of LOCALES) {
    it(`sign-in (${locale})`, { timeout: budget(6) }, async () => {
      const page = await openPage(locale);
      const [before, layoutBefore] = [blocking.length, layout.length];
      for (const width of WIDTHS) await check(page, `sign-in-${locale}`, width);
      expect(blocking.slice(before)).toEqual([]);
      expect(layout.slice(layoutBefore)).toEqual([]);
    });

    for (const role of ['agent', 'supervisor', 'admin'] as const) {
      const screens = SCREENS.filter((screen) => screen.roles.includes(role));
      it(`${role}: ${screens.map((screen) => screen.name).join(', ')} (${locale})`, {
        timeout: budget(4 + 4 * screens.length),
      }, async () => {
        const t = translator(locale);
        const page = await openPage(locale);
        await page.locator('input[name=email]').fill(EMAIL[role]);
        await page.locator('input[name=password]').fill('parley-demo');
        await page.locator('button[type=submit]').click();
        await page.locator('.topbar').waitFor(POLL);
        await page.locator('.conversations button', { hasText: CUSTOMER_NAME }).first().waitFor(POLL);
        const [before, layoutBefore] = [blocking.length, layout.length];
        for (const screen of screens) {
          await screen.reach(page, locale);
          for (const width of WIDTHS) {
            await check(page, `${role}-${screen.name}-${locale}`, width);
            // Sign out stays on screen at every width.
            const signOut = await page.getByRole('button', { name: t('signOut') }).boundingBox();
            if (!signOut || signOut.x < 0 || signOut.x + signOut.width > width)
              layout.push(`${role}-${screen.name}@${width}: Sign out cut off`);
          }
        }
        expect(blocking.slice(before)).toEqual([]);
        expect(layout.slice(layoutBefore)).toEqual([]);
      });
    }
  }
});
