import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { AutoRepliesSettings, SkillAvailability } from '../../clients/web/http-api';
import { type Locale, translator } from '../../clients/web/i18n';
import { backAtText, returnTime } from '../../clients/widget/return-time';
import { ABANDONED_CLOSE_TEXT } from '../../functions/domain/abandonment';
import { draftReply } from '../../local/ses/mail-pages';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson, putJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { waitFor } from '../support/wait';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, type LaunchedBrowser, messageTexts, screenshot } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };

/** Each visitor in their own language and zone: the away notice must speak both. */
const VISITORS: ReadonlyArray<{ readonly locale: Locale; readonly timezoneId: string }> = [
  { locale: 'en', timezoneId: 'Europe/Berlin' },
  { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' },
];

/** The abandoned-chat timers (seconds, instead of 15 and 5 minutes). */
const ABANDON_SECONDS = 2;
/** A skill of its own, with one agent online, for the abandoned chat (billing stays closed and unserved). */
const AWAY_SKILL = 'widget-away';
/** SES's mailbox simulator bounces mail to this address, as on AWS. */
const BOUNCED = 'bounce@simulator.amazonses.com';

/** A server frame as the page received it (only the fields these tests read are typed). */
type ReceivedFrame = { type: string; conversationId?: string; conversation?: { id: string; status: string } } & Record<string, unknown>;

/**
 * The widget when nobody can answer, in a real browser against the local stack, end to end:
 * business hours are set through the admin API (`PUT /v1/skills/{skill}/hours`) and the widget
 * reads the real `GET /v1/availability`; guest tokens, the WebSocket and `start` are real.
 * - The offline form posts to the real `POST /v1/tickets`; `page.route` only loses the first
 *   attempt's answer (the server has stored the ticket, the page sees a 503), so the retry must
 *   find the same ticket. The tests then read the ticket as staff; in English an agent replies,
 *   the local SES captures the mail, and the customer's emailed answer threads back into it.
 * - The bot is billing's real auto-replies (`PUT /v1/skills/billing/auto-replies`), and
 *   "Talk to a person" the real `handoff`. The ticket offer is the real reconcile sweep's
 *   (`reason: closed`, billing being closed), accepted with the real `ticket` action.
 * - The abandoned close is the real sweep's: the visitor's network goes (`setOffline`), the
 *   sweep asks, then closes with the stack's abandon timers shortened to seconds; the widget
 *   learns it when the network comes back. The transcript is emailed through the local SES,
 *   after a real refusal for an address that bounced before (SES's mailbox simulator).
 * The scheduled `reconcile` never fires by itself here: the tests run it when they need it.
 * The page's WebSocket frames are only observed (`framereceived`), never altered.
 */
describe.skipIf(!HAVE_CHROMIUM)('the widget when nobody can answer, in a real browser', { timeout: budget(8) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  let adminToken: string;
  let agentToken: string;
  const contexts: BrowserContext[] = [];
  const agents: RawClient[] = [];

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([
      startLocalStack({
        httpPort: 0,
        wsPort: 0,
        skills: [AWAY_SKILL],
        env: {
          ABANDON_AFTER_SECONDS: String(ABANDON_SECONDS),
          ABANDON_CLOSE_AFTER_SECONDS: String(ABANDON_SECONDS),
          // The presence sweep inside reconcile leaves the test's agent online.
          PRESENCE_GRACE_SECONDS: '3600',
        },
        // reconcile (ticket offers, abandoned chats) runs when a test asks, never between its steps.
        scheduleIntervalMs: 24 * 3600 * 1000,
      }),
      launchChromium(),
    ]);
    const login = async (email: string): Promise<string> => {
      const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' });
      expect(response.status).toBe(200);
      return response.body.token as string;
    };
    [adminToken, agentToken] = await Promise.all([login('admin@example.com'), login('agent.billing@example.com')]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const agent of agents) await agent.close().catch(() => undefined);
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  /**
   * Billing's hours: open only on the weekday three days ahead (Berlin), so it is closed now
   * with a next opening the away notice words as a weekday; no agent of billing is online in this stack.
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
  async function visitor(locale: Locale, timezoneId: string, skill = 'billing'): Promise<Page> {
    const context = await chromium.browser.newContext({ locale, timezoneId, viewport: { width: 1000, height: 760 } });
    context.setDefaultTimeout(2 * STEP_MS);
    contexts.push(context);
    const page = await context.newPage();
    await page.addInitScript(
      (settings) => {
        (window as { ParleySettings?: object }).ParleySettings = settings;
      },
      { locale, skill },
    );
    return page;
  }

  /** Every frame the page's WebSockets receive, parsed: observed only, nothing is changed. */
  function framesReceived(page: Page): ReceivedFrame[] {
    const frames: ReceivedFrame[] = [];
    page.on('websocket', (socket) =>
      socket.on('framereceived', (frame) => {
        try {
          frames.push(JSON.parse(String(frame.payload)) as ReceivedFrame);
        } catch {
          // Not JSON: not a Parley frame.
        }
      }),
    );
    return frames;
  }

  /** A new agent of `skill` with room for one chat, signed in and online. */
  async function agentOnline(skill: string): Promise<RawClient> {
    const id = `${skill}-agent`;
    const password = 'widget-offline-1';
    const created = await postJson(
      `${stack.httpUrl}/v1/agents`,
      { id, email: `${id}@example.com`, name: 'Wendy', password, skills: [skill], capacity: 1 },
      adminToken,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `${id}@example.com`, password });
    const client = await RawClient.connect(stack.wsUrl, login.body.token as string);
    agents.push(client);
    await client.request({ action: 'sync' }, ['synced']);
    await client.request({ action: 'status', status: 'online' }, ['status']);
    return client;
  }

  /** Makes `email` an address that bounced: a ticket reply to it, SES's bounce event marking it. */
  async function bouncedAddress(email: string): Promise<void> {
    const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Bo Bounce' });
    expect(guest.status).toBe(201);
    const created = await postJson(
      `${stack.httpUrl}/v1/tickets`,
      { skill: 'billing', name: 'Bo Bounce', email, message: 'Please write back', clientMsgId: 'bounce-form' },
      guest.body.token as string,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.ticket.id as string;
    const reply = await postJson(
      `${stack.httpUrl}/v1/tickets/${id}/replies`,
      { text: 'Hello Bo', clientMsgId: 'bounce-reply' },
      agentToken,
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    await waitFor(
      async () => (await getJson(`${stack.httpUrl}/v1/tickets/${id}`, agentToken)).body.ticket.customer.emailStatus === 'bounced',
      {
        timeoutMs: budget(2),
        message: `${email} marked as bounced`,
      },
    );
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

    it(`form (${locale}): the contact form is validated, survives a failure with a retry, and makes one real ticket`, async () => {
      await closeBilling('form');
      const availability = await availabilityOnceItSays('form');
      const page = await visitor(locale, timezoneId);
      const message = locale === 'en' ? 'My invoice is wrong' : '我的账单有问题';
      // The real POST /v1/tickets. The first attempt reaches the server, but its answer is lost on
      // the way back (the page sees a 503): the retry, with the same clientMsgId, must find the
      // same ticket. Every later attempt goes through untouched.
      const ticketRequests: Array<{ body: Record<string, unknown>; authorization: string | undefined }> = [];
      let lostAnswer: { status: number; body: { ticket?: { id: string } } } | undefined;
      await page.route('**/v1/tickets', async (route: Route) => {
        const request = route.request();
        ticketRequests.push({ body: request.postDataJSON() as Record<string, unknown>, authorization: request.headers().authorization });
        if (ticketRequests.length > 1) return route.fallback();
        const reached = await route.fetch();
        lostAnswer = { status: reached.status(), body: (await reached.json()) as { ticket?: { id: string } } };
        return route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'try later' } }),
        });
      });
      await page.goto(stack.web!.demoUrl);
      await page.getByRole('button', { name: t('launcherOpen') }).click();
      const form = page.locator('form.offline');
      await expect.poll(() => page.locator('.panel .away').textContent(), POLL).toBe(expectedAway(availability, locale, timezoneId));
      expect(await page.locator('.panel .thread > .messages').isHidden()).toBe(true);
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
      await form.getByLabel(t('message')).fill(message);
      await form.getByLabel(t('message')).press('Tab');
      await page.keyboard.press('Enter'); // the focused submit button, by keyboard
      await expect.poll(() => page.locator('form.offline .error[role=alert]').textContent(), POLL).toContain('try later');
      await screenshot(page, `widget-form-error-${locale}`);
      const created = page.waitForResponse((response) => response.url().endsWith('/v1/tickets') && response.request().method() === 'POST');
      await page.getByRole('button', { name: t('retry') }).click();
      await expect.poll(() => page.locator('.confirmation').textContent(), POLL).toBe(t('offlineSent', { email: 'ann@example.com' }));
      await screenshot(page, `widget-form-${locale}`);

      expect(ticketRequests).toHaveLength(2);
      expect(ticketRequests[0]!.body).toEqual(ticketRequests[1]!.body); // the retry is the same message: one ticket
      expect(ticketRequests[1]!.body).toMatchObject({ skill: 'billing', name: 'Ann', email: 'ann@example.com', message });
      expect(ticketRequests[1]!.body.clientMsgId).toEqual(expect.any(String));
      // A real guest token from the local stack, obtained as for chat.
      expect(ticketRequests[1]!.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);

      // On the server: the lost first answer and the retry's name the same ticket, the only one
      // for this submission, holding what the visitor wrote.
      const retried = await created;
      expect(retried.status()).toBe(201);
      const ticket = ((await retried.json()) as { ticket: { id: string } }).ticket;
      expect(lostAnswer).toMatchObject({ status: 201, body: { ticket: { id: ticket.id } } });
      const listed = await getJson(`${stack.httpUrl}/v1/tickets?skill=billing&state=open`, adminToken);
      expect(listed.status).toBe(200);
      const forThisForm = (listed.body.tickets as Array<{ id: string; subject: string }>).filter((row) => row.subject === message);
      expect(forThisForm.map((row) => row.id)).toEqual([ticket.id]);
      expect(forThisForm[0]).toMatchObject({ skill: 'billing', state: 'open', customer: { name: 'Ann', email: 'ann@example.com' } });
      const read = await getJson(`${stack.httpUrl}/v1/tickets/${ticket.id}`, agentToken);
      expect(read.status).toBe(200);
      expect(read.body.messages).toMatchObject([{ seq: 1, text: message, sender: { role: 'customer', name: 'Ann' } }]);
      if (locale !== 'en') return;

      // End to end: an agent replies by email, and the customer answers the mail.
      const reply = await postJson(
        `${stack.httpUrl}/v1/tickets/${ticket.id}/replies`,
        { text: 'We corrected the invoice.', clientMsgId: 'widget-form-reply' },
        agentToken,
      );
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(reply.body.ticket.state).toBe('pending');
      const mail = stack.mail.sent().find((sent) => sent.purpose === 'ticket-reply' && sent.subject.endsWith(`[#${ticket.id.slice(-8)}]`));
      expect(mail).toMatchObject({
        to: ['ann@example.com'],
        subject: `Re: ${message} [#${ticket.id.slice(-8)}]`,
        replyTo: expect.stringMatching(/^reply\+[0-9a-f]{64}@/),
        text: expect.stringContaining('We corrected the invoice.'),
      });
      expect(mail!.text.indexOf('We corrected the invoice.')).toBeLessThan(mail!.text.indexOf(message));
      const delivered = await stack.mail.deliverInbound(draftReply(mail!, 'Thank you, it is right now.'));
      expect(delivered.outcome).toBe('stored');
      const answered = await getJson(`${stack.httpUrl}/v1/tickets/${ticket.id}`, agentToken);
      expect(answered.body.ticket.state).toBe('open');
      expect(answered.body.messages.map((stored: { text: string }) => stored.text)).toEqual([
        message,
        'We corrected the invoice.',
        'Thank you, it is right now.',
      ]);
      expect(answered.body.messages.at(-1)).toMatchObject({ sender: { role: 'customer' } });
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
      await expect.poll(() => messageTexts(page.locator('.panel .thread > .messages')), POLL).toEqual([text]);
      await expect.poll(() => page.locator('.panel .notice').textContent(), POLL).toMatch(queuedWithoutEta);
      await screenshot(page, `widget-queue-${locale}`);
      expect(startFrames).toHaveLength(1);
      expect(JSON.parse(startFrames[0]!)).toMatchObject({ skill: 'billing', visitor: { locale, timeZone: timezoneId } });
    });
  }
  it(
    'in a conversation (en): the bot and its handoff, a ticket offer, an abandoned close and the transcript request',
    async () => {
      const t = translator('en');
      await closeBilling('queue');
      await availabilityOnceItSays('queue');
      const rules: AutoRepliesSettings = {
        botName: 'Billing Bot',
        rules: [{ id: 'refunds', keywords: ['refund'], answer: { en: 'Refunds take 5-7 days.' } }],
      };
      const saved = await putJson(`${stack.httpUrl}/v1/skills/billing/auto-replies`, rules, adminToken);
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      const page = await visitor('en', 'Europe/Berlin');
      const received = framesReceived(page);
      await page.goto(stack.web!.demoUrl);
      await page.getByRole('button', { name: t('launcherOpen') }).click();
      await page.getByLabel(t('composerLabel')).fill('Where is my refund?');
      await page.keyboard.press('Enter');

      // The bot answers (a rule matches): shown with its name; "Talk to a person" hands off.
      const botMessage = page.locator('.panel li.message.bot');
      await expect.poll(() => botMessage.locator('.author').textContent(), POLL).toBe('Billing Bot');
      expect(await botMessage.locator('.text').textContent()).toBe('Refunds take 5-7 days.');
      const started = received.find((frame) => frame.type === 'conversation' && frame.conversation?.status === 'bot');
      expect(started?.conversation?.id).toEqual(expect.any(String));
      const conversationId = started!.conversation!.id;
      await page.getByRole('button', { name: t('talkToPerson') }).click();
      await expect.poll(() => page.getByRole('button', { name: t('talkToPerson') }).isHidden(), POLL).toBe(true);
      // The server queued it: the handoff was real.
      expect((await stack.wiring().ports.conversations.get(conversationId))?.status).toBe('queued');

      // The team is closed: the reconcile sweep offers a ticket; the email goes with the ticket action.
      const offer = page.locator('form.offer');
      await waitFor(
        async () => {
          await stack.runScheduled('reconcile');
          return offer.isVisible();
        },
        { timeoutMs: budget(3), intervalMs: 250, message: 'the ticket offer is shown' },
      );
      expect(received.filter((frame) => frame.type === 'offer' && frame.conversationId === conversationId)).toEqual([
        { type: 'offer', conversationId, offer: 'ticket', reason: 'closed' },
      ]);
      expect(await offer.locator('.prompt').textContent()).toBe(t('offerPrompt'));
      await offer.getByLabel(t('email')).fill('ann@example.com');
      await offer.getByRole('button', { name: t('offerSubmit') }).click();
      await expect.poll(() => page.locator('.panel .notice').textContent(), POLL).toBe(t('ticketNotice', { email: 'ann@example.com' }));
      expect(await offer.isHidden()).toBe(true);
      expect(await page.locator('.panel form.composer').isHidden()).toBe(true);
      expect(await messageTexts(page.locator('.panel .thread > .messages'))).toEqual(['Where is my refund?', 'Refunds take 5-7 days.']);
      expect(await page.locator('.panel > .error').isHidden()).toBe(true);
      await screenshot(page, 'widget-ticket-en');
      // On the server the chat is now an open ticket for that address, with the whole thread.
      const ticket = await getJson(`${stack.httpUrl}/v1/tickets/${conversationId}`, agentToken);
      expect(ticket.status).toBe(200);
      expect(ticket.body.ticket).toMatchObject({
        id: conversationId,
        skill: 'billing',
        state: 'open',
        subject: 'Where is my refund?',
        customer: { email: 'ann@example.com' },
      });
      expect(ticket.body.messages.map((stored: { text: string }) => stored.text)).toEqual(
        expect.arrayContaining(['Where is my refund?', 'Refunds take 5-7 days.']),
      );

      // Closed for the customer's absence: another visitor's chat with an agent of their own skill.
      // The visitor's network goes; the reconcile sweep asks whether they are still there, then
      // closes the chat. When the network is back the widget says why, in its own wording.
      const agent = await agentOnline(AWAY_SKILL);
      const visitorPage = await visitor('en', 'Europe/Berlin', AWAY_SKILL);
      await visitorPage.goto(stack.web!.demoUrl);
      await visitorPage.getByRole('button', { name: t('launcherOpen') }).click();
      await visitorPage.getByLabel(t('composerLabel')).fill('Hello?');
      await visitorPage.keyboard.press('Enter');
      const assigned = await agent.waitFor((frame) => frame.type === 'assigned', budget(2));
      const chatId = String(assigned.conversationId);
      await agent.request({ action: 'message', conversationId: chatId, clientMsgId: 'away-1', text: 'Anything else I can do?' }, ['ack']);
      await expect
        .poll(() => messageTexts(visitorPage.locator('.panel .thread > .messages')), POLL)
        .toEqual(['Hello?', 'Anything else I can do?']);
      const customerId = (await stack.wiring().ports.conversations.get(chatId))!.customer.id;
      await visitorPage.context().setOffline(true);
      await waitFor(
        async () => (await stack.wiring().ports.connections.listForUser(customerId, Math.floor(Date.now() / 1000))).length === 0,
        {
          timeoutMs: budget(1),
          message: 'the visitor has no connection left',
        },
      );
      const closedFrame = await waitFor(
        async () => {
          await stack.runScheduled('reconcile');
          return agent.frames.find((frame) => frame.type === 'closed' && frame.conversationId === chatId);
        },
        { timeoutMs: budget(4, 2 * ABANDON_SECONDS * 1000), intervalMs: 250, message: 'the abandoned chat is closed' },
      );
      expect(closedFrame).toMatchObject({ by: { id: 'system', role: 'system' }, reason: 'abandoned' });
      await visitorPage.context().setOffline(false);
      // Back online, the widget syncs: the chat shows as ended, in the wording for an absence.
      await expect.poll(() => visitorPage.locator('.rating').isVisible(), POLL).toBe(true);
      expect(await visitorPage.locator('.rating .closed-notice').textContent()).toBe(t('closedAbandoned'));
      expect(await visitorPage.locator('.panel .notice').isHidden()).toBe(true);
      expect(await messageTexts(visitorPage.locator('.panel .thread > .messages'))).toEqual(['Hello?', 'Anything else I can do?']);
      expect(await visitorPage.locator('.panel li.message.system .text').allTextContents()).toEqual([
        // Shown live when the agent took the chat (not stored), before the system's notices.
        t('agentJoined', { name: 'Wendy' }),
        t('noticeStillThere'),
        t('noticeAbandoned'),
      ]);
      await screenshot(visitorPage, 'widget-abandoned-en');
      await agent.close();

      // The transcript by email, for real: an address that bounced before is refused, another works.
      await bouncedAddress(BOUNCED);
      const transcript = visitorPage.locator('form.transcript-request');
      await transcript.getByLabel(t('email')).fill(BOUNCED);
      await transcript.getByRole('button', { name: t('transcriptSubmit') }).click();
      await expect.poll(() => transcript.locator('.request-status').textContent(), POLL).toContain(`Mail to ${BOUNCED} bounced before`);
      await transcript.getByLabel(t('email')).fill('ann@example.com');
      await transcript.getByRole('button', { name: t('transcriptSubmit') }).click();
      await expect
        .poll(() => transcript.locator('.request-status').textContent(), POLL)
        .toBe(t('transcriptSent', { email: 'ann@example.com' }));
      await screenshot(visitorPage, 'widget-transcript-en');
      const mailed = stack.mail.sent().filter((sent) => sent.purpose === 'transcript');
      expect(mailed.map((sent) => sent.to)).toEqual([['ann@example.com']]);
      for (const text of ['Hello?', 'Anything else I can do?', ABANDONED_CLOSE_TEXT]) expect(mailed[0]!.text).toContain(text);
    },
    budget(30, 2 * ABANDON_SECONDS * 1000),
  );
});
