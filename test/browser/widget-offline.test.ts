import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { SkillAvailability } from '../../clients/web/http-api';
import { type Locale, translator } from '../../clients/web/i18n';
import { backAtText, returnTime } from '../../clients/widget/return-time';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, type LaunchedBrowser, messageTexts, screenshot } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

/** Each visitor in their own language and zone: the away notice must speak both. */
const VISITORS: ReadonlyArray<{ readonly locale: Locale; readonly timezoneId: string }> = [
  { locale: 'en', timezoneId: 'Europe/Berlin' },
  { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' },
];

/**
 * The widget when nobody can answer, in a real browser against the local stack: business hours
 * are set through the admin API (part A's `PUT /v1/skills/{skill}/hours`) and the widget reads
 * the real `GET /v1/availability`; guest tokens, the WebSocket and `start` are real.
 * `POST /v1/tickets` is part B's, on another branch: this file answers it with `page.route`,
 * as the contract specifies it, until B is merged.
 */
describe.skipIf(!HAVE_CHROMIUM)('the widget when nobody can answer, in a real browser', { timeout: budget(8) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let adminToken: string;
  const contexts: BrowserContext[] = [];

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0 }), launchChromium()]);
    const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
    expect(login.status).toBe(200);
    adminToken = login.body.token;
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  /**
   * Billing's hours: open only on the weekday three days ahead (Berlin), so it is closed now
   * with a next opening the away notice words as a weekday; nobody is online in this stack.
   */
  async function closeBilling(behaviour: 'hide' | 'form' | 'queue'): Promise<void> {
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000);
    const day = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', weekday: 'short' }).format(inThreeDays).toLowerCase();
    const response = await fetch(`${stack.httpUrl}/v1/skills/billing/hours`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ timeZone: 'Europe/Berlin', weekly: { [day]: [{ from: '09:00', to: '17:00' }] }, closed: [], behaviour }),
    });
    expect(response.status, await response.text()).toBe(200);
  }

  /** What the server says now, with the change applied (its hours cache is a few seconds). */
  async function availabilityOnceItSays(behaviour: SkillAvailability['behaviour']): Promise<SkillAvailability> {
    let body: SkillAvailability | undefined;
    await expect
      .poll(async () => {
        body = (await getJson(`${stack.httpUrl}/v1/availability?skill=billing`)).body as SkillAvailability;
        return body.behaviour;
      }, POLL)
      .toBe(behaviour);
    expect(body).toMatchObject({ skill: 'billing', open: false, agentsOnline: 0, timeZone: 'Europe/Berlin' });
    return body!;
  }

  /** A visitor's page on the demo site, in their language and time zone. */
  async function visitor(locale: Locale, timezoneId: string): Promise<Page> {
    const context = await chromium.browser.newContext({ locale, timezoneId, viewport: { width: 1000, height: 760 } });
    context.setDefaultTimeout(2 * STEP_MS);
    contexts.push(context);
    const page = await context.newPage();
    await page.addInitScript(
      (settings) => {
        (window as { ParleySettings?: object }).ParleySettings = settings;
      },
      { locale, skill: 'billing' },
    );
    return page;
  }

  function expectedAway(availability: SkillAvailability, locale: Locale, timezoneId: string): string {
    expect(availability.nextOpening).toEqual(expect.any(String));
    return backAtText(returnTime(new Date(availability.nextOpening!), new Date(), timezoneId, locale), translator(locale));
  }

  for (const { locale, timezoneId } of VISITORS) {
    const t = translator(locale);

    it(`hide (${locale}): no launcher while nobody can answer; it comes back when the admin switches to queue`, async () => {
      await closeBilling('hide');
      await availabilityOnceItSays('hide');
      const page = await visitor(locale, timezoneId);
      const asked = page.waitForRequest('**/v1/availability*');
      await page.goto(stack.web!.demoUrl);
      expect(new URL((await asked).url()).searchParams.get('skill')).toBe('billing');
      await page.locator('[data-parley=widget]').waitFor({ state: 'attached' });
      await expect.poll(() => page.locator('.launcher').isHidden(), POLL).toBe(true);
      await screenshot(page, `widget-hide-${locale}`);

      await closeBilling('queue');
      await availabilityOnceItSays('queue');
      // The widget asks again when the page becomes visible (its answer may be cached for max-age seconds).
      await expect
        .poll(async () => {
          await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
          return page.getByRole('button', { name: t('launcherOpen') }).isVisible();
        }, POLL)
        .toBe(true);
    });

    it(`form (${locale}): the contact form is validated, survives a failure with a retry, and confirms the ticket`, async () => {
      await closeBilling('form');
      const availability = await availabilityOnceItSays('form');
      const page = await visitor(locale, timezoneId);
      // POST /v1/tickets is part B's; faked here: the first attempt fails, the retry creates the ticket.
      const ticketRequests: Array<{ body: Record<string, unknown>; authorization: string | undefined }> = [];
      await page.route('**/v1/tickets', (route: Route) => {
        const request = route.request();
        ticketRequests.push({ body: request.postDataJSON() as Record<string, unknown>, authorization: request.headers().authorization });
        if (ticketRequests.length === 1) {
          return route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'unavailable', message: 'try later' } }),
          });
        }
        const body = request.postDataJSON() as { email: string };
        return route.fulfill({
          status: 201,
          contentType: 'application/json',
          body: JSON.stringify({ ticket: { id: 'T1', state: 'open', customer: { id: 'guest:x', name: 'Ann', email: body.email } } }),
        });
      });
      await page.goto(stack.web!.demoUrl);
      await page.getByRole('button', { name: t('launcherOpen') }).click();
      const form = page.locator('form.offline');
      await expect.poll(() => page.locator('.panel .away').textContent(), POLL).toBe(expectedAway(availability, locale, timezoneId));
      expect(await page.locator('.panel .messages').isHidden()).toBe(true);
      expect(await page.locator('.panel form.composer').isHidden()).toBe(true);
      // Focus starts in the form; an empty submit marks every field and sends nothing.
      expect(await form.getByLabel(t('name')).evaluate((element) => (element.getRootNode() as ShadowRoot).activeElement === element)).toBe(
        true,
      );
      await page.getByRole('button', { name: t('sendMessage') }).click();
      await expect.poll(() => form.getByLabel(t('name')).getAttribute('aria-invalid'), POLL).toBe('true');
      expect(await page.locator('#parley-offline-email-error').textContent()).toBe(t('fieldRequired'));
      expect(ticketRequests).toEqual([]);

      await form.getByLabel(t('name')).fill('Ann');
      await form.getByLabel(t('email')).fill('ann@example.com');
      await form.getByLabel(t('message')).fill(locale === 'en' ? 'My invoice is wrong' : '我的账单有问题');
      await form.getByLabel(t('message')).press('Tab');
      await page.keyboard.press('Enter'); // the focused submit button, by keyboard
      await expect.poll(() => page.locator('form.offline .error[role=alert]').textContent(), POLL).toContain('try later');
      await screenshot(page, `widget-form-error-${locale}`);
      await page.getByRole('button', { name: t('retry') }).click();
      await expect.poll(() => page.locator('.confirmation').textContent(), POLL).toBe(t('offlineSent', { email: 'ann@example.com' }));
      await screenshot(page, `widget-form-${locale}`);

      expect(ticketRequests).toHaveLength(2);
      expect(ticketRequests[0]!.body).toEqual(ticketRequests[1]!.body); // the retry is the same message: one ticket
      expect(ticketRequests[1]!.body).toMatchObject({ skill: 'billing', name: 'Ann', email: 'ann@example.com' });
      expect(ticketRequests[1]!.body.clientMsgId).toEqual(expect.any(String));
      // A real guest token from the local stack, obtained as for chat.
      expect(ticketRequests[1]!.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it(`queue (${locale}): chat anyway with the away notice, no invented ETA, and the visitor's locale and zone sent with start`, async () => {
      await closeBilling('queue');
      const answer = await availabilityOnceItSays('queue');
      const page = await visitor(locale, timezoneId);
      const startFrames: string[] = [];
      page.on('websocket', (socket) =>
        socket.on('framesent', (frame) => String(frame.payload).includes('"action":"start"') && startFrames.push(String(frame.payload))),
      );
      await page.goto(stack.web!.demoUrl);
      await page.getByRole('button', { name: t('launcherOpen') }).click();
      const away = `${expectedAway(answer, locale, timezoneId)} ${t('awayQueueHint')}`;
      await expect.poll(() => page.locator('.panel .away').textContent(), POLL).toBe(away);
      const text = locale === 'en' ? 'Is anyone there?' : '有人吗？';
      // Whatever the position (the other language's visitor may still be waiting), never an ETA.
      const literal = (part: string) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      const queuedWithoutEta = new RegExp(`^${t('queuedNoAgent').split('{position}').map(literal).join('\\d+')}$`);
      await page.getByLabel(t('composerLabel')).fill(text);
      await page.keyboard.press('Enter');
      await expect.poll(() => messageTexts(page.locator('.panel .messages')), POLL).toEqual([text]);
      await expect.poll(() => page.locator('.panel .notice').textContent(), POLL).toMatch(queuedWithoutEta);
      await screenshot(page, `widget-queue-${locale}`);
      expect(startFrames).toHaveLength(1);
      expect(JSON.parse(startFrames[0]!)).toMatchObject({ skill: 'billing', visitor: { locale, timeZone: timezoneId } });
    });
  }
  it('in a conversation (en): the bot and its handoff, a ticket offer, an abandoned close and the transcript request', async () => {
    // The handoff, ticket and transcript actions are parts B, C and D's, on other branches: the
    // test stands between the page and the real WebSocket, answers those actions itself and
    // plays their frames (bot status and message, offer, ticket, abandoned close, transcript).
    const t = translator('en');
    await closeBilling('queue');
    await availabilityOnceItSays('queue');
    const page = await visitor('en', 'Europe/Berlin');
    const actions: Array<Record<string, unknown>> = [];
    let toPage: ((frame: object) => void) | undefined;
    let summary: Record<string, unknown> | undefined;
    await page.routeWebSocket(/.*/, (socket) => {
      const server = socket.connectToServer();
      toPage = (frame) => socket.send(JSON.stringify(frame));
      socket.onMessage((data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (['handoff', 'ticket', 'transcript'].includes(String(frame.action))) actions.push(frame);
        // Read marks would name the played bot message's seq, which the server never stored.
        else if (frame.action !== 'read') server.send(data);
      });
      server.onMessage((data) => {
        const frame = JSON.parse(String(data)) as { type?: string; conversation?: Record<string, unknown> };
        if (frame.type === 'conversation') summary = frame.conversation;
        socket.send(data);
      });
    });
    await page.goto(stack.web!.demoUrl);
    await page.getByRole('button', { name: t('launcherOpen') }).click();
    await page.getByLabel(t('composerLabel')).fill('Where is my refund?');
    await page.keyboard.press('Enter');
    await expect.poll(() => summary?.id, POLL).toEqual(expect.any(String));
    const conversationId = String(summary!.id);
    const lastSeq = async () =>
      Math.max(
        0,
        ...(await page
          .locator('.panel li[data-seq]')
          .evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.seq)))),
      );
    await expect.poll(lastSeq, POLL).toBeGreaterThan(0);

    // The bot answers: shown with its name; "Talk to a person" hands off.
    toPage!({ type: 'conversation', conversation: { ...summary, status: 'bot' } });
    const seq = (await lastSeq()) + 1;
    toPage!({
      type: 'message',
      conversationId,
      seq,
      messageId: `bot-${seq}`,
      clientMsgId: `bot:${conversationId}:${seq}`,
      sender: { id: 'bot', role: 'system', name: 'Billing Bot' },
      text: 'Refunds take 5-7 days.',
      ts: new Date().toISOString(),
    });
    const botMessage = page.locator('.panel li.message.bot');
    await expect.poll(() => botMessage.locator('.author').textContent(), POLL).toBe('Billing Bot');
    await page.getByRole('button', { name: t('talkToPerson') }).click();
    await expect.poll(() => actions, POLL).toEqual([{ action: 'handoff', conversationId }]);
    toPage!({ type: 'conversation', conversation: { ...summary, status: 'queued' } });
    await expect.poll(() => page.getByRole('button', { name: t('talkToPerson') }).isHidden(), POLL).toBe(true);

    // The team is closed: a ticket is offered; the email goes with the ticket action.
    toPage!({ type: 'offer', conversationId, offer: 'ticket', reason: 'closed' });
    const offer = page.locator('form.offer');
    await expect.poll(() => offer.locator('.prompt').textContent(), POLL).toBe(t('offerPrompt'));
    await offer.getByLabel(t('email')).fill('ann@example.com');
    await offer.getByRole('button', { name: t('offerSubmit') }).click();
    await expect.poll(() => actions.at(-1), POLL).toEqual({ action: 'ticket', conversationId, email: 'ann@example.com' });
    toPage!({ type: 'conversation', conversation: { ...summary, status: 'ticket', ticket: { state: 'open', email: 'ann@example.com' } } });
    await expect.poll(() => page.locator('.panel .notice').textContent(), POLL).toBe(t('ticketNotice', { email: 'ann@example.com' }));
    expect(await offer.isHidden()).toBe(true);
    expect(await page.locator('.panel form.composer').isHidden()).toBe(true);
    expect(await messageTexts(page.locator('.panel .messages'))).toEqual(['Where is my refund?', 'Refunds take 5-7 days.']);
    expect(await page.locator('.panel > .error').isHidden()).toBe(true);
    await screenshot(page, 'widget-ticket-en');

    // Closed for the customer's absence: its own wording, and the transcript by email.
    toPage!({ type: 'closed', conversationId, by: { id: 'system', role: 'system' }, ts: new Date().toISOString(), reason: 'abandoned' });
    await expect.poll(() => page.locator('.rating .closed-notice').textContent(), POLL).toBe(t('closedAbandoned'));
    const transcript = page.locator('form.transcript-request');
    await transcript.getByLabel(t('email')).fill('ann@example.com');
    await transcript.getByRole('button', { name: t('transcriptSubmit') }).click();
    await expect.poll(() => actions.at(-1), POLL).toEqual({ action: 'transcript', conversationId, email: 'ann@example.com' });
    toPage!({ type: 'error', code: 'unavailable', message: 'mail is not configured', action: 'transcript', conversationId });
    await expect.poll(() => transcript.locator('.request-status').textContent(), POLL).toContain('mail is not configured');
    await transcript.getByRole('button', { name: t('transcriptSubmit') }).click();
    toPage!({ type: 'transcript', conversationId, email: 'ann@example.com' });
    await expect
      .poll(() => transcript.locator('.request-status').textContent(), POLL)
      .toBe(t('transcriptSent', { email: 'ann@example.com' }));
    await screenshot(page, 'widget-transcript-en');
  });
});
