import { h } from '../web/dom';
import { ApiError, type HttpApi, type StaffTokens } from '../web/http-api';
import type { Translate } from '../web/i18n';

/** The sign-in form; calls `onSignedIn` with the issued token. */
export function renderLogin(root: HTMLElement, api: HttpApi, t: Translate, onSignedIn: (tokens: StaffTokens) => void): void {
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('signIn'));
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('consoleTitle')),
    h('label', {}, t('email'), email),
    h('label', {}, t('password'), password),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    api
      .login(email.value.trim(), password.value)
      .then(onSignedIn)
      .catch((failure: unknown) => {
        error.textContent = t('signInFailed', { message: failure instanceof ApiError ? failure.message : String(failure) });
        error.hidden = false;
        submit.disabled = false;
        password.select();
      });
  });
  root.replaceChildren(form);
  email.focus();
}
