import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../../clients/parley-client/src/index';
import type { SkillAvailability } from '../../../clients/web/http-api';
import { type Locale, translator } from '../../../clients/web/i18n';
import type { ChatMessage } from '../../../clients/parley-client/src/index';
import { AVAILABILITY_POLL_MS } from '../../../clients/widget/availability-watch';
import { READ_MARK_COALESCE_MS, RECONNECT_GIVE_UP_MS, WidgetController } from '../../../clients/widget/widget-controller';
import type { WidgetConfig } from '../../../clients/widget/widget-config';
import { type FakeClient, type FakePage, FakeScreen, fakePage, settle, tokenWith } from './support/widget-fakes';

const CLOSED_UNTIL_FRIDAY_NINE_BERLIN = { open: false, agentsOnline: 0, nextOpening: '2026-12-04T08:00:00Z', timeZone: 'Europe/Berlin' };

function availability(behaviour: SkillAvailability['behaviour'], overrides: Partial<SkillAvailability> = {}): SkillAvailability {
  return { skill: 'billing', behaviour, ...CLOSED_UNTIL_FRIDAY_NINE_BERLIN, ...overrides };
}

function summary(status: ConversationSummary['status'], extra: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: 'conv-1',
    status,
    customer: { id: 'guest:ann' },
    skill: 'billing',
    lastSeq: 0,
    createdAt: '2026-12-03T19:00:00Z',
    updatedAt: '2026-12-03T19:00:00Z',
    ...extra,
  };
}

interface Setup {
  answer?: SkillAvailability | Error;
  config?: Partial<WidgetConfig>;
  locale?: Locale;
  timeZone?: string;
  /** The same page again (its storage kept): a reload. */
  page?: FakePage;
}

async function widget(setup: Setup = {}) {
  const page = setup.page ?? fakePage({ ...(setup.timeZone ? { timeZone: setup.timeZone } : {}) });
  if (setup.answer) page.api.availabilityAnswer = setup.answer;
  const screen = new FakeScreen();
  const locale = setup.locale ?? 'en';
  const config: WidgetConfig = { httpUrl: 'http://api', wsUrl: 'ws://ws', skill: 'billing', preChat: false, open: false, ...setup.config };
  const controller = new WidgetController(config, screen, translator(locale), locale, page.env);
  controller.boot();
  await settle();
  const client = (): FakeClient => {
    const last = page.clients.at(-1);
    if (!last) throw new Error('the widget has not connected');
    return last;
  };
  return { page, screen, controller, client };
}

/** Opens the panel and waits until the guest is connected. */
async function openChat(w: Awaited<ReturnType<typeof widget>>): Promise<FakeClient> {
  w.controller.toggle();
  await settle();
  await settle();
  return w.client();
}

describe('widget: availability', () => {
  it('asks for its skill on load and keeps the launcher back until it knows', async () => {
    const page = fakePage();
    page.api.availabilityAnswer = availability('hide');
    const screen = new FakeScreen();
    const controller = new WidgetController(
      { httpUrl: 'http://api', wsUrl: 'ws://ws', skill: 'billing', preChat: false, open: false },
      screen,
      translator('en'),
      'en',
      page.env,
    );
    controller.boot();
    expect(screen.launcherVisible).toBe(false);
    expect(page.api.availabilityCalls).toEqual(['billing']);
    await settle();
    expect(screen.launcherVisible).toBe(false);
  });

  it('shows the launcher once the first answer says the team can answer (or chats anyway)', async () => {
    for (const answer of [availability('queue', { open: true, agentsOnline: 1 }), availability('queue'), availability('form')]) {
      const page = fakePage();
      page.api.availabilityAnswer = answer;
      const screen = new FakeScreen();
      new WidgetController(
        { httpUrl: 'http://api', wsUrl: 'ws://ws', preChat: false, open: false },
        screen,
        translator('en'),
        'en',
        page.env,
      ).boot();
      expect(screen.launcherVisible).toBe(false);
      await settle();
      expect(screen.launcherVisible).toBe(true);
    }
  });

  it('shows the launcher when availability cannot be had (the chat as before)', async () => {
    const { screen } = await widget({ answer: new Error('network') });
    expect(screen.launcherVisible).toBe(true);
    expect(screen.away).toBeUndefined();
  });

  it('polls every 30 s only while the panel is open, and again when the page becomes visible', async () => {
    const w = await widget({ answer: availability('queue') });
    expect(w.page.timers.intervals.size).toBe(0);
    w.controller.toggle();
    expect([...w.page.timers.intervals.values()].map((interval) => interval.ms)).toEqual([AVAILABILITY_POLL_MS]);
    const before = w.page.api.availabilityCalls.length;
    w.page.timers.fireIntervals();
    expect(w.page.api.availabilityCalls.length).toBe(before + 1);
    w.page.becomeVisible();
    expect(w.page.api.availabilityCalls.length).toBe(before + 2);
    w.controller.toggle();
    expect(w.page.timers.intervals.size).toBe(0);
  });

  it('follows live availability frames: the launcher comes back when an agent comes online', async () => {
    const w = await widget({ answer: availability('hide'), config: { token: tokenWith({ sub: 'site:ann', name: 'Ann' }) } });
    expect(w.screen.launcherVisible).toBe(false);
    w.client().emit('availability', { type: 'availability', ...availability('hide', { open: true, agentsOnline: 1 }) });
    expect(w.screen.launcherVisible).toBe(true);
    // Another skill's frame changes nothing.
    w.client().emit('availability', { type: 'availability', ...availability('hide', { skill: 'tech' }) });
    expect(w.screen.launcherVisible).toBe(true);
    w.client().emit('availability', { type: 'availability', ...availability('hide') });
    expect(w.screen.launcherVisible).toBe(false);
  });

  it('drops a poll answer that was asked before a newer live frame arrived', async () => {
    const w = await widget({
      answer: availability('queue', { open: true, agentsOnline: 1 }),
      config: { token: tokenWith({ sub: 'site:ann' }) },
    });
    w.page.api.availabilityAnswer = availability('queue');
    w.controller.toggle(); // asks again (answer: closed)
    w.client().emit('availability', { type: 'availability', ...availability('queue', { open: true, agentsOnline: 3 }) });
    await settle();
    expect(w.screen.away).toBeUndefined();
  });
});

describe('widget: hide', () => {
  it('shows no launcher, but keeps a conversation the visitor already has reachable', async () => {
    const w = await widget({ answer: availability('hide'), config: { token: tokenWith({ sub: 'site:ann' }) } });
    expect(w.screen.launcherVisible).toBe(false);
    w.client().summaries = [summary('queued')];
    w.client().emit('session', {
      type: 'session',
      user: { id: 'site:ann', role: 'customer' },
      heartbeatSeconds: 30,
      recheckSeconds: 12,
      conversations: [],
    });
    expect(w.screen.launcherVisible).toBe(true);
    expect(w.screen.away).toMatch(/^We're back tomorrow at 09:00\. /);
  });

  it('closes a panel with no conversation in it when the team closes', async () => {
    const w = await widget({
      answer: availability('queue', { open: true, agentsOnline: 1 }),
      config: { token: tokenWith({ sub: 'site:ann' }) },
    });
    w.controller.toggle();
    expect(w.screen.isOpen).toBe(true);
    w.client().emit('availability', { type: 'availability', ...availability('hide') });
    expect(w.screen.isOpen).toBe(false);
    expect(w.screen.launcherVisible).toBe(false);
  });
});

describe('widget: queue (chat anyway, with the away notice)', () => {
  it('says when the team is back in the visitor zone and language', async () => {
    const en = await widget({ answer: availability('queue') });
    en.screen.launcherVisible = false;
    en.page.becomeVisible(); // asks again: the answer alone shows the launcher
    await settle();
    expect(en.screen.launcherVisible).toBe(true);
    await openChat(en);
    expect(en.screen.content).toBe('chat');
    expect(en.screen.away).toBe("We're back tomorrow at 09:00. You can still write to us; we'll answer as soon as someone is available.");
    const zh = await widget({ answer: availability('queue'), locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    await openChat(zh);
    expect(zh.screen.away).toBe('我们将于今天 16:00 回来。 您仍可以给我们留言，有客服空闲时会立即回复您。');
  });

  it('sends the visitor locale and zone with start', async () => {
    const w = await widget({ answer: availability('queue'), locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    const client = await openChat(w);
    w.controller.send('你好');
    expect(client.actions).toEqual([
      [
        'start',
        {
          text: '你好',
          skill: 'billing',
          // Where the chat started (issue 10) comes from the page (the fake's).
          visitor: { locale: 'zh-CN', timeZone: 'Asia/Shanghai', page: 'https://shop.example/cart', userAgent: 'TestBrowser/1.0' },
        },
      ],
    ]);
  });

  it('never shows an ETA with no agent online, from the queued frame or from availability', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('queued'));
    client.emit('queued', { type: 'queued', conversationId: 'conv-1', position: 2, etaSeconds: 240, agentsOnline: 0 });
    expect(w.screen.notice).toBe('You are number 2 in the queue. No agent is online right now.');
    client.emit('queued', { type: 'queued', conversationId: 'conv-1', position: 1, etaSeconds: 240, agentsOnline: 1 });
    expect(w.screen.notice).toBe('You are number 1 in the queue. Expected wait: 4 min.');
    client.emit('availability', { type: 'availability', ...availability('queue', { open: true, agentsOnline: 0 }) });
    expect(w.screen.notice).toBe('You are number 1 in the queue. No agent is online right now.');
    // Open but nobody online: the queue line says so, the away line does not repeat it.
    expect(w.screen.away).toBeUndefined();
  });
});

describe('widget: form (the offline contact form)', () => {
  it('shows the form instead of the chat, prefilled from the identified customer token', async () => {
    const w = await widget({
      answer: availability('form'),
      config: { token: tokenWith({ sub: 'site:ann', name: 'Ann Lee', email: 'ann@example.com' }) },
    });
    w.controller.toggle();
    expect(w.screen.content).toBe('form');
    expect(w.screen.composerVisible).toBe(false);
    expect(w.screen.offline).toEqual({ fields: { name: 'Ann Lee', email: 'ann@example.com', message: '' }, status: 'editing', errors: {} });
  });

  it('validates every field and sends nothing while any is wrong', async () => {
    const w = await widget({ answer: availability('form') });
    expect(w.page.clients).toEqual([]);
    w.controller.toggle();
    await w.controller.submitOfflineForm({ name: ' ', email: 'ann@', message: '' });
    expect(w.screen.offline?.errors).toEqual({ name: 'fieldRequired', email: 'emailInvalid', message: 'fieldRequired' });
    expect(w.page.api.ticketCalls).toEqual([]);
    expect(w.page.api.guestCalls).toBe(0);
  });

  it('gets a guest token as for chat, creates the ticket and confirms where the reply goes', async () => {
    const w = await widget({ answer: availability('form') });
    w.controller.toggle();
    await settle();
    expect(w.page.api.guestCalls).toBe(0); // the form alone needs no identity
    await w.controller.submitOfflineForm({ name: 'Ann', email: ' ann@example.com ', message: 'My invoice is wrong' });
    expect(w.page.api.guestCalls).toBe(1);
    expect(w.page.api.ticketCalls.map((call) => call.request)).toEqual([
      { skill: 'billing', name: 'Ann', email: 'ann@example.com', message: 'My invoice is wrong', clientMsgId: 'offline-1' },
    ]);
    expect(w.screen.offline?.status).toBe('sent');
    expect(w.screen.offline?.sentTo).toBe('ann@example.com');
  });

  it('shows an error with a retry that reuses the clientMsgId, and a double submit sends once', async () => {
    const w = await widget({ answer: availability('form') });
    w.controller.toggle();
    w.page.api.ticketAnswers = [new Error('Service Unavailable')];
    const fields = { name: 'Ann', email: 'ann@example.com', message: 'Hello' };
    await w.controller.submitOfflineForm(fields);
    expect(w.screen.offline?.status).toBe('failed');
    expect(w.screen.offline?.failure).toBe('Something went wrong: Service Unavailable');
    w.page.api.holdTickets = true;
    const first = w.controller.submitOfflineForm(fields);
    const second = w.controller.submitOfflineForm(fields);
    await settle();
    expect(w.screen.offline?.status).toBe('sending');
    w.page.api.release();
    await Promise.all([first, second]);
    expect(w.page.api.ticketCalls.map((call) => call.request.clientMsgId)).toEqual(['offline-1', 'offline-1']);
    expect(w.screen.offline?.status).toBe('sent');
  });

  it('gives way to the chat when an agent comes online', async () => {
    const w = await widget({ answer: availability('form'), config: { token: tokenWith({ sub: 'site:ann' }) } });
    w.controller.toggle();
    expect(w.screen.content).toBe('form');
    w.client().emit('availability', { type: 'availability', ...availability('form', { open: true, agentsOnline: 1 }) });
    expect(w.screen.content).toBe('chat');
    expect(w.screen.away).toBeUndefined();
  });
});

describe('widget: ticket offer', () => {
  it('offers a ticket on an offer frame, converts with the prefilled email, and keeps the thread', async () => {
    const w = await widget({ answer: availability('queue') });
    const client = await openChat(w);
    w.controller.submitPreChat({ name: 'Ann', email: 'ann@example.com' });
    client.emit('conversation', summary('queued'));
    client.emit('message', {
      conversationId: 'conv-1',
      seq: 1,
      messageId: 'm1',
      clientMsgId: 'c1',
      sender: { id: 'guest:ann', role: 'customer' },
      text: 'Anyone there?',
      ts: '2026-12-03T19:00:00Z',
    });
    expect(w.screen.offer).toBeUndefined();
    client.emit('offer', { type: 'offer', conversationId: 'conv-1', offer: 'ticket', reason: 'closed' });
    expect(w.screen.offer).toEqual({ email: 'ann@example.com', status: 'ask' });
    w.controller.acceptOffer('ann@example.com');
    expect(client.actions.at(-1)).toEqual(['ticket', 'conv-1', 'ann@example.com', 'Ann']);
    expect(w.screen.offer?.status).toBe('sending');
    client.emit('conversation', summary('ticket', { ticket: { state: 'open', email: 'ann@example.com' } }));
    expect(w.screen.offer).toBeUndefined();
    expect(w.screen.notice).toBe("This chat is now a ticket. We'll reply to ann@example.com by email.");
    expect(w.screen.composerVisible).toBe(false);
    expect(w.screen.entries.map((entry) => entry.text)).toEqual(['Anyone there?']);
  });

  it('offers it from the summary too, refuses a bad address and shows a server error next to the form', async () => {
    const w = await widget({ answer: availability('queue') });
    const client = await openChat(w);
    client.emit('conversation', summary('queued', { offer: 'ticket' }));
    expect(w.screen.offer?.status).toBe('ask');
    w.controller.acceptOffer('not-an-address');
    expect(w.screen.offer).toEqual({ email: 'not-an-address', status: 'failed', failure: 'Please enter a valid email address.' });
    expect(client.actions).toEqual([]);
    w.controller.acceptOffer('ann@example.com');
    client.emit('error', { type: 'error', code: 'unavailable', message: 'mail is not configured', action: 'ticket' });
    expect(w.screen.offer?.status).toBe('failed');
    expect(w.screen.offer?.failure).toContain('mail is not configured');
  });
});

describe('widget: bot', () => {
  it('shows "Talk to a person" while the bot answers, and hands off', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('bot'));
    expect(w.screen.handoff).toBe(true);
    w.controller.handoff();
    expect(client.actions).toEqual([['handoff', 'conv-1']]);
    client.emit('conversation', summary('queued'));
    expect(w.screen.handoff).toBe(false);
  });
});

describe('widget: when a conversation ends', () => {
  it('words an abandoned close and sends the transcript to the prefilled address, confirming on the frame', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    w.controller.submitPreChat({ name: 'Ann', email: 'ann@example.com' });
    client.emit('conversation', summary('assigned', { agent: { id: 'agent:b', name: 'Billie' } }));
    expect(w.screen.transcriptRequest).toBeUndefined();
    client.emit('closed', { type: 'closed', conversationId: 'conv-1', by: { id: 'system', role: 'system' }, ts: 'x', reason: 'abandoned' });
    expect(w.screen.closedText).toBe("This conversation was closed because we didn't hear from you for a while.");
    expect(w.screen.transcriptRequest).toEqual({ email: 'ann@example.com', status: 'ask' });
    w.controller.requestTranscript('ann@example.com');
    expect(client.actions.at(-1)).toEqual(['transcript', 'conv-1', 'ann@example.com']);
    client.emit('error', { type: 'error', code: 'unavailable', message: 'no mailer', action: 'transcript', conversationId: 'conv-1' });
    expect(w.screen.transcriptRequest?.status).toBe('failed');
    w.controller.requestTranscript('ann@example.com');
    client.emit('transcript', { type: 'transcript', conversationId: 'conv-1', email: 'ann@example.com' });
    expect(w.screen.transcriptRequest).toEqual({ email: 'ann@example.com', status: 'sent' });
  });

  it('shows an abandoned close that happened while the page was offline, from the reconnect alone', async () => {
    // The server closes a chat for absence only while the customer has no connection: no
    // `closed` frame ever reaches this page; the session and the system's message say it.
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('assigned', { agent: { id: 'agent:b', name: 'Billie' }, lastSeq: 1 }));
    expect(w.screen.rating).toBe('hidden');
    client.emit('message', {
      conversationId: 'conv-1',
      seq: 2,
      messageId: 'm-2',
      clientMsgId: 'abandoned:conv-1',
      sender: { id: 'system', role: 'system', name: 'Parley' },
      text: 'We closed this chat because we did not hear from you.',
      ts: '2026-12-03T19:30:00Z',
    });
    client.summaries = [summary('closed', { lastSeq: 2, updatedAt: '2026-12-03T19:30:00Z' })];
    client.emit('session', {
      type: 'session',
      user: { id: 'guest:ann', role: 'customer' },
      heartbeatSeconds: 30,
      recheckSeconds: 12,
      conversations: [],
    });
    expect(w.screen.rating).toBe('ask');
    expect(w.screen.closedText).toBe("This conversation was closed because we didn't hear from you for a while.");
  });

  it('uses the plain wording for an ordinary close', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('assigned'));
    client.emit('closed', { type: 'closed', conversationId: 'conv-1', by: { id: 'agent:b', role: 'agent' }, ts: 'x' });
    expect(w.screen.closedText).toBe('This conversation has ended.');
  });
});

describe('widget: transfers tell the customer the truth', () => {
  const billie = { id: 'agent-billing', name: 'Billie' };
  const tess = { id: 'agent-tech', name: 'Tess' };

  it('a transfer straight to another agent names that agent (no "waiting" while they already have the chat)', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 2 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('assigned', { agent: billie }));
    expect(w.screen.notice).toBe('You are chatting with Billie.');
    client.emit('transferred', { type: 'transferred', conversationId: 'conv-1', from: { agent: billie }, to: { agent: tess } });
    expect(w.screen.notice).toBe('You are chatting with Tess.');
  });

  it('a transfer to a skill says "waiting" until the next agent is assigned, then names them', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 2 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('assigned', { agent: billie }));
    client.emit('transferred', { type: 'transferred', conversationId: 'conv-1', from: { agent: billie }, to: { skill: 'tech' } });
    expect(w.screen.notice).toBe('Waiting for an agent…');
    client.emit('assigned', { type: 'assigned', conversationId: 'conv-1', agent: tess });
    expect(w.screen.notice).toBe('You are chatting with Tess.');
  });

  it('a late transfer frame from an agent who no longer has the chat does not undo the newer assignment', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 2 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('assigned', { agent: billie }));
    client.emit('assigned', { type: 'assigned', conversationId: 'conv-1', agent: tess });
    client.emit('transferred', { type: 'transferred', conversationId: 'conv-1', from: { agent: billie }, to: { skill: 'tech' } });
    expect(w.screen.notice).toBe('You are chatting with Tess.');
  });
});

describe('widget: previous conversations (issue 10)', () => {
  const past = (id: string, status: ConversationSummary['status'], createdAt: string) => ({
    ...summary(status, { id, createdAt, updatedAt: createdAt, lastSeq: 2 }),
  });
  // As the real client does, the session names the user the server knows.
  const session = (client: FakeClient, id = 'guest:ann') => {
    client.user = { id, role: 'customer' };
    client.emit('session', {
      type: 'session',
      user: { id, role: 'customer' },
      heartbeatSeconds: 30,
      recheckSeconds: 12,
      conversations: [],
    });
  };

  it('lists the ended ones of this identity after connecting, newest first, and pages older ones', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    w.page.api.customerPages.set(undefined, {
      customerId: 'guest:ann',
      conversations: [past('c3', 'queued', '2026-12-03T10:00:00Z'), past('c2', 'closed', '2026-12-02T10:00:00Z')],
      next: 'c2',
    });
    w.page.api.customerPages.set('c2', { customerId: 'guest:ann', conversations: [past('c1', 'ticket', '2026-12-01T10:00:00Z')] });
    const client = await openChat(w);
    session(client);
    await settle();
    expect(w.page.api.customerCalls).toEqual([{ customerId: 'guest:ann', before: undefined }]);
    // The open one is the chat on screen, not a previous one.
    expect(w.screen.previous?.items.map((item) => item.id)).toEqual(['c2']);
    expect(w.screen.previous?.more).toBe(true);
    w.controller.morePrevious();
    await settle();
    expect(w.page.api.customerCalls.at(-1)).toEqual({ customerId: 'guest:ann', before: 'c2' });
    expect(w.screen.previous?.items.map((item) => item.id)).toEqual(['c2', 'c1']);
    expect(w.screen.previous?.more).toBe(false);
  });

  it('opens one read-only with its messages and goes back to the list', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    w.page.api.customerPages.set(undefined, { customerId: 'guest:ann', conversations: [past('c2', 'closed', '2026-12-02T10:00:00Z')] });
    const message = (seq: number, text: string, role: 'customer' | 'agent') => ({
      conversationId: 'c2',
      seq,
      messageId: `m${seq}`,
      sender: { id: role === 'customer' ? 'guest:ann' : 'agent-1', role, name: role },
      text,
      ts: '2026-12-02T10:01:00Z',
    });
    w.page.api.historyAnswers.set('c2', [message(1, 'My invoice is wrong', 'customer'), message(2, 'Fixed it', 'agent')]);
    const client = await openChat(w);
    session(client);
    await settle();
    w.controller.openPrevious('c2');
    expect(w.screen.previous?.opened).toMatchObject({ conversation: { id: 'c2' }, loading: true });
    await settle();
    expect(w.page.api.historyCalls).toEqual(['c2']);
    expect(w.screen.previous?.opened?.messages.map((m) => m.text)).toEqual(['My invoice is wrong', 'Fixed it']);
    // Read-only: nothing was sent, and the composer still belongs to the current chat.
    expect(client.actions).toEqual([]);
    w.controller.closePrevious();
    expect(w.screen.previous?.opened).toBeUndefined();
    expect(w.screen.previous?.items.map((item) => item.id)).toEqual(['c2']);
  });

  it('asks with the server id of an identified customer and shows nothing while there is none', async () => {
    const w = await widget({
      answer: availability('queue', { open: true, agentsOnline: 1 }),
      config: { token: tokenWith({ sub: 'ann-7' }) },
    });
    session(w.client(), 'site:ann-7');
    await settle();
    expect(w.page.api.customerCalls).toEqual([{ customerId: 'site:ann-7', before: undefined }]);
    expect(w.screen.previous).toBeUndefined();
  });

  it('sends where the chat started with the first message', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    w.controller.send('Hello');
    expect(client.actions[0]).toEqual([
      'start',
      expect.objectContaining({
        visitor: expect.objectContaining({ locale: 'en', page: 'https://shop.example/cart', userAgent: 'TestBrowser/1.0' }),
      }),
    ]);
  });
});

function chatMessage(seq: number, sender: ChatMessage['sender'], text: string, clientMsgId?: string): ChatMessage {
  return {
    conversationId: 'conv-1',
    seq,
    messageId: `m${seq}`,
    ...(clientMsgId ? { clientMsgId } : {}),
    sender,
    text,
    ts: '2026-12-03T19:00:00Z',
  };
}

const ANN = { id: 'guest:ann', role: 'customer' } as const;
const BILLIE = { id: 'agent:b', name: 'Billie' };
const SESSION = {
  type: 'session',
  user: ANN,
  heartbeatSeconds: 30,
  recheckSeconds: 12,
  conversations: [] as ConversationSummary[],
} as const;

describe('widget: read marks', () => {
  it("sends one read mark after a burst of the agent's messages, none for the customer's own", async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    client.emit('conversation', summary('assigned', { agent: BILLIE }));
    client.emit('message', chatMessage(1, ANN, 'Hello', 'c1'));
    w.page.timers.fireTimeouts(READ_MARK_COALESCE_MS);
    expect(client.reads).toEqual([]);

    client.emit('message', chatMessage(2, { ...BILLIE, role: 'agent' }, 'Hi Ann'));
    client.emit('message', chatMessage(3, { ...BILLIE, role: 'agent' }, 'How can I help?'));
    expect(client.reads).toEqual([]);
    w.page.timers.fireTimeouts(READ_MARK_COALESCE_MS);
    expect(client.reads).toEqual([['conv-1', 3]]);

    // The customer's answer alone sends nothing more.
    client.emit('message', chatMessage(4, ANN, 'My order', 'c4'));
    w.page.timers.fireTimeouts(READ_MARK_COALESCE_MS);
    expect(client.reads).toEqual([['conv-1', 3]]);
  });

  it("keeps the agent's read mark on the customer's messages across a reload", async () => {
    const identified = { token: tokenWith({ sub: 'guest:ann' }) };
    const before = await widget({ config: identified });
    const mine = chatMessage(1, ANN, 'Hello', 'c1');
    before.client().emit('conversation', summary('assigned', { agent: BILLIE }));
    before.client().emit('message', mine);
    before.client().emit('read', { type: 'read', conversationId: 'conv-1', reader: { id: 'agent:b', role: 'agent' }, seq: 1 });
    expect(before.screen.entries.map((entry) => entry.delivery)).toEqual(['read']);

    before.page.api.historyAnswer = [mine];
    const after = await widget({ config: identified, page: before.page });
    after.client().summaries = [summary('assigned', { agent: BILLIE, lastSeq: 1 })];
    after.client().emit('session', SESSION);
    await settle();
    expect(after.screen.entries.map((entry) => [entry.text, entry.delivery])).toEqual([['Hello', 'read']]);
  });
});

describe('widget: a message written before the guest token arrives', () => {
  it('shows it at once and sends it once the token is there', async () => {
    const w = await widget();
    w.page.api.holdGuests = true;
    w.controller.toggle();
    await settle();
    expect(w.page.clients).toEqual([]);
    w.controller.send('Hello there');
    expect(w.screen.entries.map((entry) => [entry.text, entry.delivery])).toEqual([['Hello there', 'sending']]);
    w.page.api.release();
    await settle();
    await settle();
    expect(w.client().actions.filter(([action]) => action === 'start')).toEqual([
      ['start', { text: 'Hello there', skill: 'billing', visitor: expect.objectContaining({ locale: 'en', timeZone: 'Europe/Berlin' }) }],
    ]);
    expect(w.screen.entries.map((entry) => [entry.key, entry.text])).toEqual([['c1', 'Hello there']]);
  });
});

describe('widget: home', () => {
  it('greets with the team status when the panel opens with no conversation, and gives way to the chat', async () => {
    const online = await widget({ answer: availability('queue', { open: true, agentsOnline: 2 }) });
    const client = await openChat(online);
    expect(online.screen.home).toEqual({ teamOnline: true });
    online.controller.send('Hi');
    expect(online.screen.home).toBeUndefined();
    client.emit('conversation', summary('queued'));
    expect(online.screen.home).toBeUndefined();

    const away = await widget({ answer: availability('queue', { open: true, agentsOnline: 0 }) });
    await openChat(away);
    expect(away.screen.home).toEqual({ teamOnline: false });
    const unknown = await widget({ answer: new Error('network') });
    await openChat(unknown);
    expect(unknown.screen.home).toEqual({ teamOnline: undefined });
  });
});

describe('widget: an agent joins', () => {
  for (const [locale, joined] of [
    ['en', 'Billie joined the chat'],
    ['zh-CN', 'Billie 已加入聊天'],
  ] as const) {
    it(`says so in the thread after the stored "no agent online" notice (${locale})`, async () => {
      const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 0 }), locale });
      const client = await openChat(w);
      client.emit('conversation', summary('queued'));
      client.emit('message', chatMessage(1, ANN, 'Anyone?', 'c1'));
      client.emit('message', chatMessage(2, { id: 'system', role: 'system' }, 'No agent is online', 'notice:no-agent:conv-1'));
      client.emit('assigned', { type: 'assigned', conversationId: 'conv-1', agent: BILLIE });
      client.emit('message', chatMessage(3, { id: 'agent:b', role: 'agent', name: 'Billie' }, 'Hi, Billie here'));
      expect(w.screen.entries.map((entry) => [entry.text, entry.sender?.role])).toEqual([
        ['Anyone?', 'customer'],
        ['No agent is online', 'system'],
        [joined, 'system'],
        ['Hi, Billie here', 'agent'],
      ]);
    });
  }
});

describe('widget: an assignment pushed before the start is answered', () => {
  it('still says the agent joined, and the late queued summary does not undo the assignment', async () => {
    const w = await widget({ answer: availability('queue', { open: true, agentsOnline: 1 }) });
    const client = await openChat(w);
    // A busy start: the router assigned and pushed before the start's `conversation` reply came.
    client.emit('assigned', { type: 'assigned', conversationId: 'conv-1', agent: BILLIE });
    client.emit('conversation', summary('queued'));
    client.emit('message', chatMessage(1, ANN, 'Anyone?', 'c1'));
    expect(w.screen.entries.map((entry) => entry.text)).toContain('Billie joined the chat');
    expect(w.screen.notice).toBe('You are chatting with Billie.');
  });
});

describe('widget: errors with a way forward', () => {
  it('says the sign-in failed and retries it on request', async () => {
    const w = await widget();
    w.page.api.guestFailures = [new Error('Too Many Requests')];
    w.controller.toggle();
    await settle();
    await settle();
    expect(w.screen.problem).toEqual({ text: "We couldn't start your chat session (Too Many Requests).", leaveEmail: false });
    expect(w.screen.error).toBeUndefined();
    expect(w.page.clients).toEqual([]);
    w.controller.retry();
    await settle();
    await settle();
    expect(w.page.api.guestCalls).toBe(2);
    expect(w.screen.problem).toBeUndefined();
    expect(w.page.clients).toHaveLength(1);
  });

  it('stops saying "Reconnecting" after a bounded time: a retry, or the offline form instead', async () => {
    const w = await widget({ config: { token: tokenWith({ sub: 'guest:ann' }) } });
    w.controller.toggle();
    const client = w.client();
    const lost = { from: 'ready', to: 'waiting', code: 'socket-closed', reason: 'x', at: 0 } as const;
    client.emit('state', { from: 'ready', to: 'ready', code: 'synced', reason: 'x', at: 0 });
    client.emit('state', lost);
    expect(w.screen.banner).toBe('Connection lost. Reconnecting…');
    client.emit('state', { ...lost, from: 'waiting', to: 'connecting' });
    client.emit('state', { ...lost, from: 'connecting', to: 'waiting' });
    expect(w.screen.problem).toBeUndefined();
    w.page.timers.fireTimeouts(RECONNECT_GIVE_UP_MS);
    expect(w.screen.problem).toEqual({ text: "We can't reach the chat right now.", leaveEmail: true });
    expect(w.screen.banner).toBeUndefined();

    expect([client.closes, client.connects]).toEqual([0, 1]);
    w.controller.retry();
    expect([client.closes, client.connects]).toEqual([1, 2]);
    expect(w.screen.problem).toBeUndefined();
    client.emit('state', { ...lost, from: 'closed', to: 'connecting' });
    w.page.timers.fireTimeouts(RECONNECT_GIVE_UP_MS);
    expect(w.screen.problem?.leaveEmail).toBe(true);
    w.controller.leaveEmail();
    expect(w.screen.content).toBe('form');
    expect(w.screen.problem).toBeUndefined();

    client.emit('state', { ...lost, from: 'syncing', to: 'ready' });
    expect(w.screen.problem).toBeUndefined();
  });
});
