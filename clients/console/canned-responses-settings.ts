import { h } from '../web/dom';
import type { CannedResponse, CannedResponseBody } from '../web/http-api';
import type { SettingsContext, SettingsSection } from './settings-screen';

const ALL = '*';
const GLOBAL = '';

/** A new response's id: stable across renames, so an edit replaces it rather than adding another. */
const newId = () => `cr-${crypto.randomUUID()}`;

/**
 * The admin's Canned responses section of the Settings screen: every response, filtered by
 * scope (all, global, one skill), with create, edit and delete. The server checks shortcuts,
 * lengths and placeholders and says what it refused; nothing is saved then.
 */
export function mountCannedResponsesSettings(container: HTMLElement, context: SettingsContext): void {
  const { t, api } = context;
  let responses: CannedResponse[] = [];
  let editingId: string | undefined;

  const filter = h('select', { name: 'canned-filter' });
  const rows = h('tbody');
  const status = h('p', { class: 'settings-status', role: 'status', 'aria-live': 'polite' });
  const shortcut = h('input', { type: 'text', name: 'shortcut', required: true, maxlength: 32, pattern: '[a-z0-9][a-z0-9_\\-]{0,31}' });
  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: 80 });
  const skill = h('input', { type: 'text', name: 'skill', maxlength: 32 });
  const text = h('textarea', { name: 'text', required: true, maxlength: 2000, rows: 4 });
  const legend = h('legend', {}, t('cannedCreating'));
  const field = (label: string, control: HTMLElement) => h('label', {}, label, control);

  const say = (message: string, error = false) => {
    status.textContent = message;
    status.classList.toggle('error', error);
  };
  const failure = (error: unknown) => say(error instanceof Error ? error.message : String(error), true);

  function edit(response: CannedResponse | undefined): void {
    editingId = response?.id;
    shortcut.value = response?.shortcut ?? '';
    title.value = response?.title ?? '';
    skill.value = response?.skill ?? (filter.value !== ALL ? filter.value : GLOBAL);
    text.value = response?.text ?? '';
    legend.textContent = response ? t('cannedEditing', { shortcut: response.shortcut }) : t('cannedCreating');
    shortcut.focus();
  }

  function renderFilter(): void {
    const chosen = filter.value || ALL;
    const skills = [...new Set(responses.flatMap((response) => (response.skill ? [response.skill] : [])))].sort();
    filter.replaceChildren(
      h('option', { value: ALL }, t('cannedFilterAll')),
      h('option', { value: GLOBAL }, t('cannedGlobal')),
      ...skills.map((name) => h('option', { value: name }, name)),
    );
    filter.value = [ALL, GLOBAL, ...skills].includes(chosen) ? chosen : ALL;
  }

  function renderRows(): void {
    const shown = responses.filter((response) => filter.value === ALL || (response.skill ?? GLOBAL) === filter.value);
    rows.replaceChildren(
      ...shown.map((response) =>
        h(
          'tr',
          { 'data-id': response.id },
          h('td', {}, `/${response.shortcut}`),
          h('td', {}, response.title),
          h('td', {}, response.skill ?? t('cannedGlobal')),
          h('td', { class: 'preview' }, response.text),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'aria-label': `${t('cannedEdit')} /${response.shortcut}`,
                onclick: () => edit(response),
              },
              t('cannedEdit'),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'aria-label': `${t('cannedDelete')} /${response.shortcut}`,
                onclick: () => void remove(response),
              },
              t('cannedDelete'),
            ),
          ),
        ),
      ),
    );
    if (shown.length === 0) rows.append(h('tr', {}, h('td', { colspan: 5 }, t('cannedEmpty'))));
  }

  async function load(): Promise<void> {
    section.setAttribute('aria-busy', 'true');
    try {
      responses = await context.withToken((token) => api.cannedResponses(token));
      renderFilter();
      renderRows();
    } catch (error) {
      failure(error);
    } finally {
      section.setAttribute('aria-busy', 'false');
    }
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    const body: CannedResponseBody = {
      shortcut: shortcut.value.trim(),
      title: title.value.trim(),
      text: text.value,
      ...(skill.value.trim() ? { skill: skill.value.trim() } : {}),
    };
    try {
      const saved = await context.withToken((token) => api.saveCannedResponse(token, editingId ?? newId(), body));
      say(t('cannedSaved', { shortcut: saved.shortcut }));
      edit(undefined);
      await load();
    } catch (error) {
      // The server names what it refused (a taken shortcut, an unknown placeholder ...).
      failure(error);
    }
  }

  async function remove(response: CannedResponse): Promise<void> {
    if (!window.confirm(t('cannedDeleteConfirm', { shortcut: response.shortcut }))) return;
    try {
      await context.withToken((token) => api.deleteCannedResponse(token, response.id));
      say(t('cannedDeleted', { shortcut: response.shortcut }));
      if (editingId === response.id) edit(undefined);
      await load();
    } catch (error) {
      failure(error);
    }
  }

  filter.addEventListener('change', renderRows);
  const section = h(
    'section',
    { class: 'canned-settings', 'aria-labelledby': 'canned-settings-title' },
    h('h3', { id: 'canned-settings-title' }, t('cannedSettingsTitle')),
    h('p', {}, t('cannedSettingsIntro')),
    field(t('cannedFilter'), filter),
    h(
      'table',
      { class: 'canned-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...(['cannedShortcut', 'cannedTitle', 'cannedScope', 'cannedText', 'cannedActions'] as const).map((key) =>
            h('th', { scope: 'col' }, t(key)),
          ),
        ),
      ),
      rows,
    ),
    h('button', { type: 'button', onclick: () => edit(undefined) }, t('cannedNew')),
    h(
      'form',
      { class: 'canned-form', onsubmit: (event: Event) => void save(event) },
      h(
        'fieldset',
        {},
        legend,
        field(t('cannedShortcut'), shortcut),
        field(t('cannedTitle'), title),
        field(t('cannedSkill'), skill),
        field(t('cannedText'), text),
        h('button', { type: 'submit', class: 'primary' }, t('cannedSave')),
        h('button', { type: 'button', class: 'secondary', onclick: () => edit(undefined) }, t('cannedCancel')),
      ),
    ),
    status,
  );
  container.append(section);
  void load();
}

/** The section as the Settings screen lists it, after auto-replies. */
export const CANNED_RESPONSES_SECTION: SettingsSection = {
  id: 'canned-responses',
  title: (t) => t('cannedSettingsTitle'),
  mount: mountCannedResponsesSettings,
};
