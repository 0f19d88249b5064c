import { h } from '../web/dom';
import type { OnlineAgentRow, SkillRow } from '../web/http-api';
import type { Translate } from '../web/i18n';

export type TransferTarget = { toAgentId: string } | { toSkill: string };

export interface TransferTargets {
  readonly agents: readonly OnlineAgentRow[];
  readonly skills: readonly SkillRow[];
}

export interface TransferPickerOptions {
  readonly t: Translate;
  readonly locale: string;
  /** The signed-in user: not offered as a target. */
  readonly selfId: string;
  /** Online agents and configured skills, read afresh each time the picker opens. */
  readonly load: () => Promise<TransferTargets>;
  readonly transfer: (target: TransferTarget, note: string) => void;
  readonly showError: (text: string | undefined) => void;
}

/** A skill's display name in the console's language (English when it has none in Chinese). */
export function skillLabel(skill: Pick<SkillRow, 'id' | 'names'>, locale: string): string {
  return (locale.startsWith('zh') ? skill.names['zh-CN'] : undefined) ?? skill.names.en ?? skill.id;
}

/**
 * The transfer form: online agents (with load/capacity and skills; full ones shown but not
 * choosable, as the server would refuse them) or a configured skill, and a note.
 */
export class TransferPicker {
  readonly element: HTMLDetailsElement;
  private readonly agentSelect: HTMLSelectElement;
  private readonly skillSelect: HTMLSelectElement;
  private skills: readonly SkillRow[] = [];
  private loading = 0;

  constructor(private readonly options: TransferPickerOptions) {
    const { t } = options;
    this.agentSelect = h('select', { name: 'toAgentId' }, h('option', { value: '' }, t('transferNobody')));
    this.skillSelect = h('select', { name: 'toSkill' }, h('option', { value: '' }, t('transferNobody')));
    const note = h('input', { name: 'note', size: 18, maxlength: 500 });
    // Choosing one side clears the other: a transfer goes to an agent or to a skill.
    this.agentSelect.addEventListener('change', () => {
      if (this.agentSelect.value) this.skillSelect.value = '';
    });
    this.skillSelect.addEventListener('change', () => {
      if (this.skillSelect.value) this.agentSelect.value = '';
    });
    const form = h(
      'form',
      { 'aria-label': t('transfer') },
      h('label', {}, t('transferToAgent'), this.agentSelect),
      h('label', {}, t('transferToSkill'), this.skillSelect),
      h('label', {}, t('transferNote'), note),
      h('button', { type: 'submit', class: 'secondary' }, t('transfer')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const agentId = this.agentSelect.value;
      const skill = this.skillSelect.value;
      if ((agentId === '') === (skill === '')) {
        options.showError(t('transferPickOne'));
        return;
      }
      options.transfer(agentId ? { toAgentId: agentId } : { toSkill: skill }, note.value.trim());
      this.agentSelect.value = this.skillSelect.value = note.value = '';
    });
    this.element = h('details', { class: 'transfer' }, h('summary', {}, t('transfer')), form);
    this.element.addEventListener('toggle', () => {
      if (this.element.open) void this.refresh();
    });
  }

  /** The display name of a skill the picker knows (its id otherwise). */
  labelOf(skillId: string): string {
    const skill = this.skills.find((known) => known.id === skillId);
    return skill ? skillLabel(skill, this.options.locale) : skillId;
  }

  /** Reads the online agents and configured skills again; only the latest answer fills the lists. */
  async refresh(): Promise<void> {
    const { t } = this.options;
    const attempt = ++this.loading;
    try {
      const targets = await this.options.load();
      if (attempt !== this.loading) return;
      this.skills = targets.skills;
      this.fill(
        this.agentSelect,
        targets.agents
          .filter((agent) => agent.id !== this.options.selfId)
          .map((agent) => {
            const values = { name: agent.name, load: agent.load, capacity: agent.capacity, skills: agent.skills.join(', ') || '—' };
            return h(
              'option',
              { value: agent.id, ...(agent.available ? {} : { disabled: true }) },
              t(agent.available ? 'transferAgentOption' : 'transferAgentFull', values),
            );
          }),
      );
      this.fill(
        this.skillSelect,
        targets.skills.map((skill) => h('option', { value: skill.id }, skillLabel(skill, this.options.locale))),
      );
    } catch (error) {
      if (attempt === this.loading) {
        this.options.showError(t('transferTargetsFailed', { message: error instanceof Error ? error.message : String(error) }));
      }
    }
  }

  private fill(select: HTMLSelectElement, options: readonly HTMLOptionElement[]): void {
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, this.options.t('transferNobody')), ...options);
    // Keep what was chosen if it is still offered (and choosable).
    if (options.some((option) => option.value === chosen && !option.disabled)) select.value = chosen;
  }
}
