import { ParleyClient } from '../parley-client/src/index';
import { randomId } from '../parley-client/src/send-pipeline';
import { HttpApi } from '../web/http-api';
import { pickLocale, translator } from '../web/i18n';
import { safeLocalStorage } from '../web/stored-token';
import type { TranscriptEntry } from '../web/transcript';
import { readWidgetConfig } from './widget-config';
import { knownTimeZone } from './return-time';
import { WidgetController, type WidgetEnvironment } from './widget-controller';
import { visitorPage } from './visitor-page';
import { WidgetView } from './widget-view';

/**
 * widget.js: embedded with one script tag. Mounts a launcher and chat panel in a shadow root
 * (no style clash with the host page) once the page has a body.
 */
const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;

async function mount(): Promise<void> {
  if (document.querySelector('[data-parley="widget"]')) return; // included twice
  const config = await readWidgetConfig(script);
  const locale = pickLocale(config.locale, document.documentElement.lang, navigator.languages ?? [navigator.language]);
  const t = translator(locale);
  const nameOf = (entry: TranscriptEntry) =>
    entry.sender?.id === 'bot'
      ? (entry.sender.name ?? t('botName'))
      : entry.sender?.role === 'system'
        ? t('system')
        : (entry.sender?.name ?? t(entry.sender?.role === 'customer' ? 'you' : 'agent'));
  let controller: WidgetController | undefined;
  const view = new WidgetView(
    t,
    locale,
    {
      toggle: () => controller?.toggle(),
      send: (text) => controller?.send(text),
      attach: (file) => void controller?.attach(file),
      renderAttachment: (attachment) => controller!.renderAttachment(attachment),
      typing: () => controller?.typing(),
      preChat: (profile) => controller?.submitPreChat(profile),
      rate: (score, comment) => controller?.rate(score, comment),
      newConversation: () => controller?.startOver(),
      offlineForm: (fields) => void controller?.submitOfflineForm(fields),
      handoff: () => controller?.handoff(),
      acceptOffer: (email) => controller?.acceptOffer(email),
      requestTranscript: (email) => controller?.requestTranscript(email),
      openPrevious: (id) => controller?.openPrevious(id),
      closePrevious: () => controller?.closePrevious(),
      morePrevious: () => controller?.morePrevious(),
      retry: () => controller?.retry(),
      leaveEmail: () => controller?.leaveEmail(),
    },
    nameOf,
  );
  controller = new WidgetController(config, view, t, locale, browserEnvironment(config.httpUrl));
  document.body.appendChild(view.host);
  controller.boot();
}

function safeSessionStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

/** The real page: fetch, the two storages, visibility, timers and the visitor's clock and zone. */
function browserEnvironment(httpUrl: string): WidgetEnvironment {
  return {
    api: new HttpApi(httpUrl),
    createClient: (options) => new ParleyClient(options),
    storage: safeLocalStorage(),
    session: safeSessionStorage(),
    isVisible: () => document.visibilityState === 'visible',
    onVisibilityChange: (listener) => document.addEventListener('visibilitychange', listener),
    timers: {
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      setInterval: (callback, ms) => setInterval(callback, ms),
      clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
    },
    now: () => new Date(),
    timeZone: knownTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone),
    newId: randomId,
    visitorPage: () => visitorPage({ href: location.href, referrer: document.referrer, userAgent: navigator.userAgent }),
  };
}

function start(): void {
  mount().catch((error: unknown) => console.error('Parley widget could not start:', error));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
