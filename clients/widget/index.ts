import { pickLocale, translator } from '../web/i18n';
import type { TranscriptEntry } from '../web/transcript';
import { readWidgetConfig } from './widget-config';
import { WidgetController } from './widget-controller';
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
    entry.sender?.role === 'system' ? t('system') : (entry.sender?.name ?? t(entry.sender?.role === 'customer' ? 'you' : 'agent'));
  let controller: WidgetController | undefined;
  const view = new WidgetView(
    t,
    locale,
    {
      toggle: () => controller?.toggle(),
      send: (text) => controller?.send(text),
      typing: () => controller?.typing(),
      preChat: (profile) => controller?.submitPreChat(profile),
      rate: (score, comment) => controller?.rate(score, comment),
      newConversation: () => controller?.startOver(),
    },
    nameOf,
  );
  controller = new WidgetController(config, view, t);
  document.body.appendChild(view.host);
  controller.boot();
}

function start(): void {
  mount().catch((error: unknown) => console.error('Parley widget could not start:', error));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
