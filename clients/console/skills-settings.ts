import { h } from '../web/dom';
import type { SkillRow } from '../web/http-api';
import type { SettingsContext, SettingsSection } from './settings-screen';
import { canDeleteSkill, readSkillForm, SKILL_NAME_MAX, skillDisplayName } from './skill-form';

/**
 * The admin's Skills section of the Settings screen: the configured skills, with add, rename
 * and delete. The server refuses to delete a skill in use and says what uses it (which agents
 * serve it, how many conversations wait in it); that reason is shown as it is.
 */
export function mountSkillsSettings(container: HTMLElement, context: SettingsContext): void {
  const { t, api, locale } = context;
  let editing: SkillRow | undefined;

  const rows = h('tbody');
  const status = h('p', { class: 'settings-status', role: 'status', 'aria-live': 'polite' });
  const id = h('input', {
    type: 'text',
    name: 'skill-id',
    required: true,
    maxlength: 32,
    pattern: '[a-z0-9][a-z0-9_\\-]{0,31}',
    'aria-describedby': 'skill-id-hint',
  });
  const nameEn = h('input', { type: 'text', name: 'skill-name-en', required: true, maxlength: SKILL_NAME_MAX });
  const nameZh = h('input', { type: 'text', name: 'skill-name-zh', maxlength: SKILL_NAME_MAX, lang: 'zh-CN' });
  const legend = h('legend', {}, t('skillsCreating'));
  const field = (label: string, control: HTMLElement, ...after: HTMLElement[]) => h('label', {}, label, control, ...after);

  const say = (message: string, error = false) => {
    status.textContent = message;
    status.classList.toggle('error', error);
  };
  const failure = (error: unknown) => say(error instanceof Error ? error.message : String(error), true);

  function edit(skill: SkillRow | undefined): void {
    editing = skill;
    id.value = skill?.id ?? '';
    // A skill's id is its key (agents, conversations and hours name it): renaming changes names only.
    id.readOnly = skill !== undefined;
    nameEn.value = skill?.names.en ?? '';
    nameZh.value = skill?.names['zh-CN'] ?? '';
    legend.textContent = skill ? t('skillsEditing', { skill: skill.id }) : t('skillsCreating');
    (skill ? nameEn : id).focus();
  }

  function render(skills: readonly SkillRow[]): void {
    rows.replaceChildren(
      ...skills.map((skill) =>
        h(
          'tr',
          { 'data-skill': skill.id },
          h('td', {}, h('code', {}, skill.id), skill.default ? ` (${t('skillsDefault')})` : ''),
          h('td', {}, skill.names.en),
          h('td', { lang: 'zh-CN' }, skill.names['zh-CN'] ?? ''),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'aria-label': `${t('skillsRename')} ${skillDisplayName(skill, locale)}`,
                onclick: () => edit(skill),
              },
              t('skillsRename'),
            ),
            canDeleteSkill(skill)
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'aria-label': `${t('skillsDelete')} ${skillDisplayName(skill, locale)}`,
                    onclick: () => void remove(skill),
                  },
                  t('skillsDelete'),
                )
              : null,
          ),
        ),
      ),
    );
    if (skills.length === 0) rows.append(h('tr', {}, h('td', { colspan: 4 }, t('skillsEmpty'))));
  }

  async function load(): Promise<void> {
    section.setAttribute('aria-busy', 'true');
    try {
      render(await context.withToken((token) => api.skills(token)));
    } catch (error) {
      failure(error);
    } finally {
      section.setAttribute('aria-busy', 'false');
    }
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    const form = readSkillForm({ id: id.value, en: nameEn.value, zh: nameZh.value });
    if (!form.ok) {
      say(t('skillsBadId', { skill: form.id }), true);
      id.focus();
      return;
    }
    try {
      const saved = await context.withToken((token) => api.saveSkill(token, form.id, form.names));
      say(t('skillsSaved', { skill: saved.id }));
      edit(undefined);
      await load();
    } catch (error) {
      // The server names what it refused (a name too long ...); nothing is saved then.
      failure(error);
    }
  }

  async function remove(skill: SkillRow): Promise<void> {
    if (!window.confirm(t('skillsDeleteConfirm', { skill: skill.id }))) return;
    try {
      await context.withToken((token) => api.deleteSkill(token, skill.id));
      say(t('skillsDeleted', { skill: skill.id }));
      if (editing?.id === skill.id) edit(undefined);
      await load();
    } catch (error) {
      // 409: which agents serve it, how many conversations wait in it.
      failure(error);
    }
  }

  const section = h(
    'section',
    { class: 'skills-settings', 'aria-labelledby': 'skills-settings-title' },
    h('h3', { id: 'skills-settings-title' }, t('skillsSettingsTitle')),
    h('p', {}, t('skillsSettingsIntro')),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'skills-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...(['skillsId', 'skillsNameEn', 'skillsNameZh', 'skillsActions'] as const).map((key) => h('th', { scope: 'col' }, t(key))),
          ),
        ),
        rows,
      ),
    ),
    h('button', { type: 'button', onclick: () => edit(undefined) }, t('skillsNew')),
    h(
      'form',
      // Checked here and by the server, each saying what is wrong in the admin's language
      // (the browser's own bubbles would not name the rule).
      { class: 'skills-form', novalidate: true, onsubmit: (event: Event) => void save(event) },
      h(
        'fieldset',
        {},
        legend,
        field(t('skillsId'), id, h('span', { class: 'hint', id: 'skill-id-hint' }, t('skillsIdHint'))),
        field(t('skillsNameEn'), nameEn),
        field(t('skillsNameZh'), nameZh),
        h('button', { type: 'submit', class: 'primary' }, t('skillsSave')),
        h('button', { type: 'button', class: 'secondary', onclick: () => edit(undefined) }, t('skillsCancel')),
      ),
    ),
    status,
  );
  container.append(section);
  void load();
}

/** The section as the Settings screen lists it, after canned responses. */
export const SKILLS_SECTION: SettingsSection = {
  id: 'skills',
  title: (t) => t('skillsSettingsTitle'),
  mount: mountSkillsSettings,
};
