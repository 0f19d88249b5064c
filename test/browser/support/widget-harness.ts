/**
 * Runs in the browser: the real WidgetView (DOM and styles as widget.js ships them) driven
 * into each of its states without a backend, for the accessibility, layout and keyboard
 * tests. What the view reports is recorded in `calls`.
 */
import { type Locale, translator } from '../../../clients/web/i18n';
import type { TranscriptEntry } from '../../../clients/web/transcript';
import { WidgetView, type WidgetViewEvents } from '../../../clients/widget/widget-view';
import type { WidgetState } from './widget-states';

export interface WidgetHarness {
  readonly calls: unknown[][];
  show(state: WidgetState): void;
}

declare global {
  interface Window {
    parleyHarness: WidgetHarness;
    mountParleyHarness(locale: Locale): void;
  }
}

const ANN = { id: 'guest:ann', role: 'customer' } as const;
const BILLIE = { id: 'agent:b', role: 'agent', name: 'Billie' } as const;
const SYSTEM = { id: 'system', role: 'system' } as const;

function entry(seq: number, sender: TranscriptEntry['sender'], text: string, extra: Partial<TranscriptEntry> = {}): TranscriptEntry {
  return { key: `m${seq}`, seq, text, sender, own: sender?.id === ANN.id, ts: `2026-12-03T19:0${seq}:00Z`, ...extra };
}

window.mountParleyHarness = (locale) => {
  const t = translator(locale);
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      calls.push([name, ...args]);
  let view: WidgetView;
  const events: WidgetViewEvents = {
    toggle: () => {
      calls.push(['toggle']);
      view.setOpen(!view.isOpen);
    },
    send: record('send'),
    attach: record('attach'),
    renderAttachment: (attachment) => {
      calls.push(['renderAttachment', attachment.info.id]);
      return document.createElement('span');
    },
    typing: () => undefined,
    preChat: record('preChat'),
    rate: record('rate'),
    newConversation: record('newConversation'),
    offlineForm: record('offlineForm'),
    handoff: record('handoff'),
    acceptOffer: record('acceptOffer'),
    requestTranscript: record('requestTranscript'),
    retry: record('retry'),
    leaveEmail: record('leaveEmail'),
    openPrevious: record('openPrevious'),
    closePrevious: record('closePrevious'),
    morePrevious: record('morePrevious'),
  };
  view = new WidgetView(t, locale, events, (shown) => shown.sender?.name ?? t(shown.sender?.role === 'customer' ? 'you' : 'agent'));
  document.body.append(view.host);

  const queuedThread = [
    entry(1, ANN, t('homeIntro'), { delivery: 'sent' }),
    entry(2, SYSTEM, 'No agent is online', { key: 'notice:no-agent:conv-1' }),
  ];
  const chatThread = [
    ...queuedThread,
    { key: 'joined', text: t('agentJoined', { name: 'Billie' }), sender: SYSTEM, own: false, ts: '2026-12-03T19:03:00Z' },
    entry(3, BILLIE, locale === 'zh-CN' ? '您好！有什么可以帮您？' : 'Hello! How can I help you today?'),
    entry(4, ANN, t('rateComment'), { delivery: 'read' }),
    entry(5, BILLIE, locale === 'zh-CN' ? '请稍等，我查一下。' : 'One moment please, let me check.'),
  ];

  /** Everything back to the empty open chat, so each state shows only its own parts. */
  const reset = () => {
    view.setOpen(true);
    view.setLauncherVisible(true);
    view.setContent('chat');
    view.setComposerVisible(true);
    view.setUnread(0);
    view.setBanner(undefined);
    view.setNotice(undefined);
    view.setAway(undefined);
    view.setTyping(undefined);
    view.setError(undefined);
    view.resetMessages();
    view.showRating('hidden');
    view.showHandoff(false);
    view.showOffer(undefined);
    view.showTranscriptRequest(undefined);
    view.showHome(undefined);
    view.showProblem(undefined);
  };

  const states: Record<WidgetState, () => void> = {
    launcher: () => {
      view.setOpen(false);
      view.setUnread(3);
    },
    home: () => view.showHome({ teamOnline: true }),
    prechat: () => view.setContent('prechat'),
    chatting: () => {
      view.renderMessages(chatThread);
      view.setNotice(t('assigned', { name: 'Billie' }));
      view.setTyping(t('typing', { name: 'Billie' }));
    },
    queued: () => {
      view.renderMessages(queuedThread);
      view.setNotice(t('queuedNoAgent', { position: 1 }));
      view.setAway(`${t('noAgentOnline')} ${t('awayQueueHint')}`);
      view.showOffer({ email: '', status: 'ask' });
    },
    offline: () => {
      view.setContent('form');
      view.setAway(t('awayClosed'));
      view.showOfflineForm({
        fields: { name: '', email: 'ann@', message: '' },
        status: 'editing',
        errors: { name: 'fieldRequired', email: 'emailInvalid', message: 'fieldRequired' },
      });
    },
    rating: () => {
      view.renderMessages(chatThread);
      view.showRating('ask', t('closedNotice'));
      view.showTranscriptRequest({ email: 'ann@example.com', status: 'ask' });
    },
    error: () => {
      view.renderMessages(queuedThread);
      view.showProblem({ text: t('connectionProblem'), leaveEmail: true });
      view.setError(t('errorGeneric', { message: 'Service Unavailable' }));
    },
  };

  window.parleyHarness = {
    calls,
    show: (state) => {
      reset();
      states[state]();
    },
  };
};
