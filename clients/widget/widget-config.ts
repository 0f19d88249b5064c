/**
 * How a host page configures the widget, Intercom-style: attributes on the script tag
 * and/or a `window.ParleySettings` object set before it. Endpoints missing from both come
 * from the `config.js` deployed next to widget.js (written at deploy time).
 */
export interface WidgetConfig {
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** An identified-customer token signed by the host site, or a function returning a fresh one. */
  readonly token?: string | (() => string | Promise<string>);
  readonly locale?: string;
  readonly skill?: string;
  /** Ask for name and email before the first message (anonymous visitors only). */
  readonly preChat: boolean;
  /** Open the panel at once. */
  readonly open: boolean;
}

export interface DeployedEndpoints {
  readonly httpUrl: string;
  readonly wsUrl: string;
}

interface ParleySettings {
  httpUrl?: string;
  wsUrl?: string;
  token?: string | (() => string | Promise<string>);
  locale?: string;
  skill?: string;
  preChat?: boolean;
  open?: boolean;
}

declare global {
  interface Window {
    ParleySettings?: ParleySettings;
    PARLEY_CONFIG?: DeployedEndpoints;
  }
}

const flag = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : value !== 'false');

/** Loads `config.js` from next to widget.js: a script tag needs no CORS, unlike fetch. */
function loadDeployedEndpoints(scriptSrc: string): Promise<DeployedEndpoints> {
  if (window.PARLEY_CONFIG) return Promise.resolve(window.PARLEY_CONFIG);
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL('config.js', scriptSrc).href;
    script.async = true;
    script.onload = () => (window.PARLEY_CONFIG ? resolve(window.PARLEY_CONFIG) : reject(new Error('config.js did not set PARLEY_CONFIG')));
    script.onerror = () => reject(new Error(`could not load ${script.src}`));
    document.head.appendChild(script);
  });
}

export async function readWidgetConfig(script: HTMLScriptElement | null): Promise<WidgetConfig> {
  const data = script?.dataset ?? {};
  const settings = window.ParleySettings ?? {};
  let httpUrl = settings.httpUrl ?? data.httpUrl;
  let wsUrl = settings.wsUrl ?? data.wsUrl;
  if (!httpUrl || !wsUrl) {
    const deployed = await loadDeployedEndpoints(script?.src || document.baseURI);
    httpUrl ??= deployed.httpUrl;
    wsUrl ??= deployed.wsUrl;
  }
  const token = settings.token ?? data.token;
  const locale = settings.locale ?? data.locale;
  const skill = settings.skill ?? data.skill;
  return {
    httpUrl,
    wsUrl,
    ...(token ? { token } : {}),
    ...(locale ? { locale } : {}),
    ...(skill ? { skill } : {}),
    preChat: settings.preChat ?? flag(data.preChat) ?? false,
    open: settings.open ?? flag(data.open) ?? false,
  };
}
