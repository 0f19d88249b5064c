import type { DeployedEndpoints } from '../widget/widget-config';
import { HttpApi, type IssuedToken } from '../web/http-api';
import { pickLocale, translator } from '../web/i18n';
import { safeLocalStorage } from '../web/stored-token';
import { ConsoleApp } from './console-app';
import { renderLogin } from './login-view';
import { StaffSession } from './staff-session';

/** console.js: the agent console. Endpoints come from the deployment's config.js. */
function main(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const endpoints = (window as { PARLEY_CONFIG?: DeployedEndpoints }).PARLEY_CONFIG;
  const params = new URLSearchParams(location.search);
  const locale = pickLocale(params.get('lang'), document.documentElement.lang, navigator.languages ?? [navigator.language]);
  document.documentElement.lang = locale;
  const t = translator(locale);
  document.title = t('consoleTitle');
  if (!endpoints) {
    root.textContent = 'config.js did not load: the console does not know where Parley runs.';
    return;
  }
  const api = new HttpApi(endpoints.httpUrl);
  // The access token stays in memory; only the refresh token is stored (see docs/security.md).
  const session = new StaffSession(api, safeLocalStorage(), () => location.reload());
  const signOut = () => {
    void session.signOut().finally(() => location.reload());
  };
  const open = (signedIn: IssuedToken) =>
    new ConsoleApp(root, { httpUrl: endpoints.httpUrl, wsUrl: endpoints.wsUrl, t, locale, session, signedIn, signOut });
  const showLogin = () =>
    renderLogin(root, api, t, (issued) => {
      session.start(issued);
      open(issued);
    });
  if (!session.resumable) {
    showLogin();
    return;
  }
  void session.resume().then((resumed) => {
    const user = session.user;
    if (resumed && user) open({ token: '', expiresAt: '', user });
    else showLogin();
  });
}

main();
