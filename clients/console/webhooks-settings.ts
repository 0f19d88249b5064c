import { h } from '../web/dom';
import type { WebhookAttempt, WebhookEndpoint } from '../web/http-api';
import type { SettingsContext, SettingsSection } from './settings-screen';

/** The event types an endpoint may subscribe to (functions/domain/domain-events.ts). */
export const WEBHOOK_EVENT_TYPES = [
  'conversation.started',
  'conversation.assigned',
  'message.created',
  'conversation.closed',
  'conversation.rated',
  'ticket.created',
] as const;

/**
 * The admin's Webhooks section of the Settings screen (docs/webhooks.md): the endpoints with
 * their event types and an enabled switch; add and edit (the server checks the URL and says what
 * it refused), the signing secret shown once after adding or rotating, a test ping, delete, and
 * one endpoint's delivery log.
 */
export function mountWebhooksSettings(container: HTMLElement, context: SettingsContext): void {
  const { t, api } = context;
  let endpoints: WebhookEndpoint[] = [];
  let editing: WebhookEndpoint | undefined;
  let logOf: WebhookEndpoint | undefined;

  const rows = h('tbody');
  const status = h('p', { class: 'settings-status', role: 'status', 'aria-live': 'polite' });
  const secretBox = h('div', { class: 'webhook-secret', hidden: true });
  const url = h('input', { type: 'url', name: 'webhook-url', required: true, maxlength: 2048, placeholder: 'https://' });
  const description = h('input', { type: 'text', name: 'webhook-description', maxlength: 200 });
  const eventBoxes = WEBHOOK_EVENT_TYPES.map((type) => h('input', { type: 'checkbox', name: 'webhook-event', value: type }));
  const legend = h('legend', {}, t('webhookCreating'));
  const logTitle = h('h4', {});
  const logRows = h('tbody');
  const logPanel = h(
    'section',
    { class: 'webhook-log', hidden: true, 'aria-live': 'polite' },
    logTitle,
    h('button', { type: 'button', class: 'secondary', onclick: () => void loadLog() }, t('webhookRefresh')),
    h(
      'table',
      { class: 'webhook-log-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...(['webhookWhen', 'webhookEvent', 'webhookAttempt', 'webhookStatus', 'webhookDuration', 'webhookOutcome'] as const).map((key) =>
            h('th', { scope: 'col' }, t(key)),
          ),
        ),
      ),
      logRows,
    ),
  );

  const say = (message: string, error = false) => {
    status.textContent = message;
    status.classList.toggle('error', error);
  };
  const failure = (error: unknown) => say(error instanceof Error ? error.message : String(error), true);

  /** The secret, once: after adding an endpoint or rotating its secret. */
  function showSecret(secret: string | undefined): void {
    if (secret === undefined) {
      secretBox.hidden = true;
      secretBox.replaceChildren();
      return;
    }
    secretBox.replaceChildren(h('p', {}, t('webhookSecretOnce')), h('code', { 'data-secret': '' }, secret));
    secretBox.hidden = false;
  }

  function edit(endpoint: WebhookEndpoint | undefined): void {
    editing = endpoint;
    url.value = endpoint?.url ?? '';
    description.value = endpoint?.description ?? '';
    for (const box of eventBoxes) box.checked = endpoint?.events.includes(box.value) ?? false;
    legend.textContent = endpoint ? t('webhookEditing', { url: endpoint.url }) : t('webhookCreating');
    url.focus();
  }

  const action = (label: string, target: WebhookEndpoint, run: () => void, kind = 'secondary') =>
    h('button', { type: 'button', class: kind, 'aria-label': `${label} ${target.url}`, onclick: run }, label);

  function renderRows(): void {
    rows.replaceChildren(
      ...endpoints.map((endpoint) => {
        const enabled = h('input', {
          type: 'checkbox',
          name: 'webhook-enabled',
          'aria-label': `${t('webhookEnabled')} ${endpoint.url}`,
          onchange: () => void setEnabled(endpoint, enabled.checked),
        });
        enabled.checked = endpoint.enabled;
        return h(
          'tr',
          { 'data-id': endpoint.id },
          h('td', { class: 'webhook-url' }, endpoint.url, endpoint.description ? h('div', { class: 'hint' }, endpoint.description) : ''),
          h('td', {}, endpoint.events.join(', ')),
          h('td', {}, enabled),
          h(
            'td',
            {},
            action(t('webhookDeliveries'), endpoint, () => void openLog(endpoint)),
            action(t('webhookTest'), endpoint, () => void test(endpoint)),
            action(t('webhookEdit'), endpoint, () => edit(endpoint)),
            action(t('webhookRotate'), endpoint, () => void rotate(endpoint)),
            action(t('webhookDelete'), endpoint, () => void remove(endpoint), 'danger'),
          ),
        );
      }),
    );
    if (endpoints.length === 0) rows.append(h('tr', {}, h('td', { colspan: 4 }, t('webhookEmpty'))));
  }

  async function load(): Promise<void> {
    section.setAttribute('aria-busy', 'true');
    try {
      endpoints = await context.withToken((token) => api.webhooks(token));
      renderRows();
    } catch (error) {
      failure(error);
    } finally {
      section.setAttribute('aria-busy', 'false');
    }
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    const events = eventBoxes.filter((box) => box.checked).map((box) => box.value);
    const body = { url: url.value.trim(), events, ...(description.value.trim() ? { description: description.value.trim() } : {}) };
    try {
      if (editing) {
        const target = editing;
        await context.withToken((token) => api.updateWebhook(token, target.id, body));
        showSecret(undefined);
      } else {
        const created = await context.withToken((token) => api.createWebhook(token, body));
        showSecret(created.secret);
      }
      say(t('webhookSaved', { url: body.url }));
      edit(undefined);
      await load();
    } catch (error) {
      // The server names what it refused (not https, a private address, no event type ...).
      failure(error);
    }
  }

  async function setEnabled(endpoint: WebhookEndpoint, enabled: boolean): Promise<void> {
    try {
      await context.withToken((token) => api.updateWebhook(token, endpoint.id, { enabled }));
      say(t('webhookSaved', { url: endpoint.url }));
      await load();
    } catch (error) {
      failure(error);
      await load();
    }
  }

  async function rotate(endpoint: WebhookEndpoint): Promise<void> {
    if (!window.confirm(t('webhookRotateConfirm', { url: endpoint.url }))) return;
    try {
      const rotated = await context.withToken((token) => api.updateWebhook(token, endpoint.id, { rotateSecret: true }));
      showSecret(rotated.secret);
      await load();
    } catch (error) {
      failure(error);
    }
  }

  async function test(endpoint: WebhookEndpoint): Promise<void> {
    try {
      await context.withToken((token) => api.testWebhook(token, endpoint.id));
      say(t('webhookTestSent', { url: endpoint.url }));
      await openLog(endpoint);
    } catch (error) {
      failure(error);
    }
  }

  async function remove(endpoint: WebhookEndpoint): Promise<void> {
    if (!window.confirm(t('webhookDeleteConfirm', { url: endpoint.url }))) return;
    try {
      await context.withToken((token) => api.deleteWebhook(token, endpoint.id));
      say(t('webhookDeleted', { url: endpoint.url }));
      if (editing?.id === endpoint.id) edit(undefined);
      if (logOf?.id === endpoint.id) {
        logOf = undefined;
        logPanel.hidden = true;
      }
      await load();
    } catch (error) {
      failure(error);
    }
  }

  const logRow = (attempt: WebhookAttempt) =>
    h(
      'tr',
      { 'data-outcome': attempt.outcome },
      h('td', {}, new Date(attempt.at).toLocaleString(context.locale)),
      h('td', {}, attempt.eventType),
      h('td', {}, String(attempt.attempt)),
      h('td', {}, attempt.status !== undefined ? String(attempt.status) : (attempt.error ?? '')),
      h('td', {}, `${attempt.durationMs} ms`),
      h('td', {}, t(`webhookOutcome_${attempt.outcome}`)),
    );

  async function openLog(endpoint: WebhookEndpoint): Promise<void> {
    logOf = endpoint;
    logTitle.textContent = t('webhookDeliveriesOf', { url: endpoint.url });
    logPanel.hidden = false;
    await loadLog();
  }

  async function loadLog(): Promise<void> {
    const target = logOf;
    if (!target) return;
    try {
      const attempts = await context.withToken((token) => api.webhookDeliveries(token, target.id));
      logRows.replaceChildren(...attempts.map(logRow));
      if (attempts.length === 0) logRows.append(h('tr', {}, h('td', { colspan: 6 }, t('webhookDeliveriesEmpty'))));
    } catch (error) {
      failure(error);
    }
  }

  const section = h(
    'section',
    { class: 'webhooks-settings', 'aria-labelledby': 'webhooks-settings-title' },
    h('h3', { id: 'webhooks-settings-title' }, t('webhooksTitle')),
    h('p', {}, t('webhooksIntro')),
    h(
      'table',
      { class: 'webhooks-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...(['webhookUrl', 'webhookEvents', 'webhookEnabled', 'webhookActions'] as const).map((key) => h('th', { scope: 'col' }, t(key))),
        ),
      ),
      rows,
    ),
    secretBox,
    h(
      'form',
      { class: 'webhook-form', onsubmit: (event: Event) => void save(event) },
      h(
        'fieldset',
        {},
        legend,
        h('label', {}, t('webhookUrl'), url),
        h('label', {}, t('webhookDescription'), description),
        h(
          'fieldset',
          { class: 'webhook-events' },
          h('legend', {}, t('webhookEvents')),
          ...eventBoxes.map((box) => h('label', {}, box, box.value)),
        ),
        h('button', { type: 'submit', class: 'primary' }, t('webhookSave')),
        h('button', { type: 'button', class: 'secondary', onclick: () => edit(undefined) }, t('webhookCancel')),
      ),
    ),
    status,
    logPanel,
  );
  container.append(section);
  void load();
}

/** The section as the Settings screen lists it, last. */
export const WEBHOOKS_SECTION: SettingsSection = {
  id: 'webhooks',
  title: (t) => t('webhooksTitle'),
  mount: mountWebhooksSettings,
};
