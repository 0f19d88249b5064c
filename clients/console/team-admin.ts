import { h } from '../web/dom';
import type { AgentRecord, StaffRole } from '../web/http-api';
import type { MessageKey } from '../web/i18n';
import type { SettingsContext, SettingsSection } from './settings-screen';

const ROLE_WORD: Record<StaffRole, MessageKey> = { agent: 'roleAgent', supervisor: 'roleSupervisor', admin: 'roleAdmin' };

/** "billing, tech" -> ["billing", "tech"]; the server checks each skill's form. */
export function parseSkills(text: string): string[] {
  return text
    .split(/[,，\s]+/)
    .map((skill) => skill.trim())
    .filter(Boolean);
}

const errorText = (context: SettingsContext, error: unknown) =>
  context.t('teamAdminError', { message: error instanceof Error ? error.message : String(error) });

function statusLine(): HTMLParagraphElement {
  return h('p', { class: 'settings-status', role: 'status' });
}

function say(line: HTMLElement, text: string, error = false): void {
  line.textContent = text;
  line.classList.toggle('error', error);
}

/** One agent: who it is, its skills and capacity (editable), and disable/enable. */
function agentRow(context: SettingsContext, agent: AgentRecord, changed: (agent: AgentRecord) => void): HTMLLIElement {
  const { t } = context;
  const skills = h('input', { name: 'skills', value: agent.skills.join(', '), 'aria-label': `${t('teamAdminSkills')} (${agent.name})` });
  const capacity = h('input', {
    name: 'capacity',
    type: 'number',
    min: 1,
    max: 50,
    value: agent.capacity,
    'aria-label': `${t('teamAdminCapacity')} (${agent.name})`,
  });
  const status = statusLine();
  const buttons: HTMLButtonElement[] = [];
  const submit = async (change: Parameters<typeof context.api.updateAgent>[2], done: (saved: AgentRecord) => string) => {
    for (const button of buttons) button.disabled = true;
    say(status, '');
    try {
      const saved = await context.withToken((token) => context.api.updateAgent(token, agent.id, change));
      // Said first: the row is rebuilt from the saved agent and carries the message over.
      say(status, done(saved));
      changed(saved);
    } catch (error) {
      say(status, errorText(context, error), true);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  };
  const form = h(
    'form',
    { class: 'team-agent-form' },
    h('label', {}, t('teamAdminSkills'), skills),
    h('label', {}, t('teamAdminCapacity'), capacity),
  );
  const save = h('button', { type: 'submit', class: 'primary' }, t('teamAdminSave'));
  const toggle = h(
    'button',
    { type: 'button', class: agent.disabled ? 'secondary' : 'secondary danger-outline' },
    t(agent.disabled ? 'teamAdminEnable' : 'teamAdminDisable'),
  );
  buttons.push(save, toggle);
  form.append(h('div', { class: 'team-agent-actions' }, save, toggle));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit({ skills: parseSkills(skills.value), capacity: Number(capacity.value) }, (saved) =>
      t('teamAdminSaved', { name: saved.name }),
    );
  });
  toggle.addEventListener('click', () => {
    const disabled = !agent.disabled;
    void submit({ disabled }, (saved) => t(disabled ? 'teamAdminDisabled' : 'teamAdminEnabled', { name: saved.name }));
  });
  return h(
    'li',
    { class: `team-agent${agent.disabled ? ' disabled' : ''}`, 'data-agent-id': agent.id },
    h(
      'div',
      { class: 'team-agent-who' },
      h('span', { class: 'team-agent-name' }, agent.name),
      h('span', { class: 'team-agent-email' }, agent.email),
      h('span', { class: 'badge' }, t(ROLE_WORD[agent.role])),
      agent.disabled ? h('span', { class: 'badge warn' }, t('rosterDisabled')) : null,
    ),
    form,
    status,
  );
}

/** Admins' agent administration (Settings > Agents): list, create, edit skills and capacity, disable. */
export function mountTeamAdmin(container: HTMLElement, context: SettingsContext): void {
  const { t } = context;
  const list = h('ul', { class: 'team-agents' });
  const listStatus = statusLine();
  const agents = new Map<string, AgentRecord>();
  const render = () => {
    const sorted = [...agents.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const rows = new Map([...list.children].map((row) => [(row as HTMLElement).dataset.agentId ?? '', row as HTMLLIElement]));
    // Rows are rebuilt only for agents that changed, so another row's status line stays.
    list.replaceChildren(...sorted.map((agent) => rows.get(agent.id) ?? agentRow(context, agent, changed)));
  };
  const changed = (agent: AgentRecord) => {
    agents.set(agent.id, agent);
    const fresh = agentRow(context, agent, changed);
    const old = list.querySelector(`li[data-agent-id="${CSS.escape(agent.id)}"]`);
    // Keep the message just shown next to the form that caused it.
    const message = old?.querySelector('.settings-status');
    const line = fresh.querySelector('.settings-status');
    if (message && line) say(line as HTMLElement, message.textContent ?? '', message.classList.contains('error'));
    if (old) old.replaceWith(fresh);
    else render();
  };

  const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' });
  const name = h('input', { name: 'name', required: true, maxlength: 100 });
  const password = h('input', { name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' });
  const role = h(
    'select',
    { name: 'role' },
    ...(['agent', 'supervisor', 'admin'] as const).map((value) => h('option', { value }, t(ROLE_WORD[value]))),
  );
  const skills = h('input', { name: 'skills', placeholder: 'billing, tech' });
  const capacity = h('input', { name: 'capacity', type: 'number', min: 1, max: 50, value: 3 });
  const createStatus = statusLine();
  const create = h(
    'form',
    { class: 'team-create', 'aria-labelledby': 'team-create-title' },
    h('h3', { id: 'team-create-title' }, t('teamAdminCreate')),
    h('label', {}, t('email'), email),
    h('label', {}, t('name'), name),
    h('label', {}, t('password'), password),
    h('label', {}, t('teamAdminRole'), role),
    h('label', {}, t('teamAdminSkills'), skills),
    h('label', {}, t('teamAdminCapacity'), capacity),
    h('button', { type: 'submit', class: 'primary' }, t('teamAdminCreateSubmit')),
    createStatus,
  );
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = create.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    try {
      const agent = await context.withToken((token) =>
        context.api.createAgent(token, {
          email: email.value.trim(),
          name: name.value.trim(),
          password: password.value,
          role: role.value as StaffRole,
          skills: parseSkills(skills.value),
          capacity: Number(capacity.value),
        }),
      );
      agents.set(agent.id, agent);
      render();
      create.reset();
      say(createStatus, t('teamAdminCreated', { name: agent.name }));
    } catch (error) {
      say(createStatus, errorText(context, error), true);
    } finally {
      submit.disabled = false;
    }
  });

  container.append(h('h3', {}, t('teamAdminTitle')), listStatus, list, create);
  say(listStatus, t('teamAdminLoading'));
  void context
    .withToken((token) => context.api.agents(token))
    .then((loaded) => {
      for (const agent of loaded) agents.set(agent.id, agent);
      render();
      say(listStatus, '');
    })
    .catch((error: unknown) => say(listStatus, errorText(context, error), true));
}

export const TEAM_ADMIN_SECTION: SettingsSection = { id: 'team', title: (t) => t('teamAdminTitle'), mount: mountTeamAdmin };
