import { h } from '../web/dom';
import type { AutoRepliesSettings, AutoRepliesView, HttpApi } from '../web/http-api';
import type { Translate } from '../web/i18n';
import type { SettingsSection } from './settings-screen';

/**
 * The admin's Auto-replies section of the Settings screen: welcome, bot name and FAQ rules of a
 * skill (or `_default`), with add, remove, reorder, save, and a sample question tried against
 * the rules being edited. Patterns run on the server (POST .../auto-replies/test): the bot's
 * RE2 matcher does not bundle for the browser, and a user's pattern never runs in RegExp.
 */
export interface AutoRepliesSectionOptions {
  readonly api: HttpApi;
  /** A current staff access token (the console refreshes it). */
  readonly token: () => Promise<string> | string;
  readonly t: Translate;
  /** The skill shown first. */
  readonly skill?: string;
}

type Rule = AutoRepliesSettings['rules'][number];

interface RuleDraft {
  id: string;
  keywords: string;
  pattern: string;
  answerEn: string;
  answerZh: string;
}

const draftOf = (rule: Rule): RuleDraft => ({
  id: rule.id,
  keywords: (rule.keywords ?? []).join('\n'),
  pattern: rule.pattern ?? '',
  answerEn: rule.answer.en,
  answerZh: rule.answer['zh-CN'] ?? '',
});

function ruleOf(draft: RuleDraft): Rule {
  const keywords = draft.keywords
    .split('\n')
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
  return {
    id: draft.id.trim(),
    ...(keywords.length > 0 ? { keywords } : {}),
    ...(draft.pattern.trim() ? { pattern: draft.pattern } : {}),
    answer: { en: draft.answerEn, ...(draft.answerZh.trim() ? { 'zh-CN': draft.answerZh } : {}) },
  };
}

/** Mounts the section into `container`; returns a function that removes it. */
export function mountAutoRepliesSettings(container: HTMLElement, options: AutoRepliesSectionOptions): () => void {
  const { api, t } = options;
  let rules: RuleDraft[] = [];
  const skillInput = h('input', { type: 'text', name: 'skill', value: options.skill ?? '_default', 'aria-label': t('autoRepliesSkill') });
  const source = h('p', { class: 'source' });
  const welcomeEn = h('textarea', { name: 'welcome-en', maxlength: 2000 });
  const welcomeZh = h('textarea', { name: 'welcome-zh', maxlength: 2000 });
  const botName = h('input', { type: 'text', name: 'bot-name', maxlength: 60 });
  const ruleList = h('ol', { class: 'rules' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const question = h('input', { type: 'text', name: 'question', 'aria-label': t('autoRepliesTryLabel') });
  const verdict = h('p', { class: 'verdict', 'aria-live': 'polite' });

  const settings = (): AutoRepliesSettings => {
    const welcome = {
      ...(welcomeEn.value.trim() ? { en: welcomeEn.value } : {}),
      ...(welcomeZh.value.trim() ? { 'zh-CN': welcomeZh.value } : {}),
    };
    return {
      ...(Object.keys(welcome).length > 0 ? { welcome } : {}),
      ...(botName.value.trim() ? { botName: botName.value.trim() } : {}),
      rules: rules.map(ruleOf),
    };
  };

  const sourceText = (from: AutoRepliesView['source']) =>
    t(from === 'skill' ? 'autoRepliesSourceSkill' : from === '_default' ? 'autoRepliesSourceDefault' : 'autoRepliesSourceNone');
  const field = (label: string, control: HTMLElement) => h('label', {}, label, control);

  function renderRules(): void {
    ruleList.replaceChildren(
      ...rules.map((rule, index) => {
        const bind = (name: keyof RuleDraft, control: HTMLInputElement | HTMLTextAreaElement) => {
          control.value = rule[name];
          control.addEventListener('input', () => {
            rule[name] = control.value;
          });
          return control;
        };
        const move = (by: number) => () => {
          const target = index + by;
          if (target < 0 || target >= rules.length) return;
          [rules[index], rules[target]] = [rules[target]!, rules[index]!];
          renderRules();
        };
        return h(
          'li',
          {},
          h(
            'fieldset',
            {},
            h('legend', {}, t('autoRepliesRule', { n: index + 1 })),
            field(t('autoRepliesRuleId'), bind('id', h('input', { type: 'text', maxlength: 40 }))),
            field(t('autoRepliesKeywords'), bind('keywords', h('textarea', { rows: 3 }))),
            field(t('autoRepliesPattern'), bind('pattern', h('input', { type: 'text', maxlength: 500 }))),
            field(t('autoRepliesAnswerEn'), bind('answerEn', h('textarea', { maxlength: 2000 }))),
            field(t('autoRepliesAnswerZh'), bind('answerZh', h('textarea', { maxlength: 2000 }))),
            h('button', { type: 'button', onclick: move(-1), disabled: index === 0 }, t('autoRepliesMoveUp')),
            h('button', { type: 'button', onclick: move(1), disabled: index === rules.length - 1 }, t('autoRepliesMoveDown')),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: () => {
                  rules.splice(index, 1);
                  renderRules();
                },
              },
              t('autoRepliesRemoveRule'),
            ),
          ),
        );
      }),
    );
  }

  const report = (error: unknown) => {
    status.textContent = error instanceof Error ? error.message : String(error);
  };

  // A load replaces every field: the form is disabled meanwhile, so nothing typed is lost, and
  // only the latest load may fill it (an earlier, slower answer is for another skill).
  let loads = 0;
  async function load(): Promise<void> {
    const current = ++loads;
    status.textContent = '';
    fields.disabled = true;
    section.setAttribute('aria-busy', 'true');
    try {
      const view = await api.autoReplies(await options.token(), skillInput.value.trim());
      if (current !== loads) return;
      source.textContent = sourceText(view.source);
      welcomeEn.value = view.autoReplies.welcome?.en ?? '';
      welcomeZh.value = view.autoReplies.welcome?.['zh-CN'] ?? '';
      botName.value = view.autoReplies.botName ?? '';
      rules = view.autoReplies.rules.map(draftOf);
      renderRules();
    } catch (error) {
      if (current === loads) report(error);
    } finally {
      if (current === loads) {
        fields.disabled = false;
        section.setAttribute('aria-busy', 'false');
      }
    }
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    try {
      await api.saveAutoReplies(await options.token(), skillInput.value.trim(), settings());
      status.textContent = t('autoRepliesSaved');
      source.textContent = sourceText('skill');
    } catch (error) {
      // The server names the field or rule it refused; nothing was saved.
      report(error);
    }
  }

  async function tryQuestion(): Promise<void> {
    if (!question.value.trim()) return;
    try {
      const result = await api.tryAutoReplies(await options.token(), skillInput.value.trim(), question.value, settings());
      verdict.textContent = result.match
        ? t('autoRepliesTryMatch', { rule: result.match.ruleId, answer: result.match.answer })
        : t('autoRepliesTryNoMatch');
    } catch (error) {
      verdict.textContent = error instanceof Error ? error.message : String(error);
    }
  }

  const fields = h(
    'fieldset',
    { class: 'auto-replies-fields' },
    field(t('autoRepliesWelcomeEn'), welcomeEn),
    field(t('autoRepliesWelcomeZh'), welcomeZh),
    field(t('autoRepliesBotName'), botName),
    ruleList,
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          rules.push({ id: `rule-${rules.length + 1}`, keywords: '', pattern: '', answerEn: '', answerZh: '' });
          renderRules();
        },
      },
      t('autoRepliesAddRule'),
    ),
    h('button', { type: 'submit' }, t('autoRepliesSave')),
  );

  const section = h(
    'section',
    { class: 'auto-replies', 'aria-labelledby': 'auto-replies-title' },
    h('h3', { id: 'auto-replies-title' }, t('autoRepliesTitle')),
    h(
      'div',
      { class: 'skill-picker' },
      field(t('autoRepliesSkill'), skillInput),
      h('button', { type: 'button', onclick: () => void load() }, t('autoRepliesLoad')),
      source,
    ),
    h('form', { onsubmit: (event: Event) => void save(event) }, fields, status),
    h('div', { class: 'try' }, question, h('button', { type: 'button', onclick: () => void tryQuestion() }, t('autoRepliesTry')), verdict),
  );
  container.append(section);
  void load();
  return () => section.remove();
}

/** The section as the Settings screen lists it, after business hours. */
export const AUTO_REPLIES_SECTION: SettingsSection = {
  id: 'auto-replies',
  title: (t) => t('autoRepliesTitle'),
  mount: (container, context) => {
    mountAutoRepliesSettings(container, { api: context.api, t: context.t, token: () => context.withToken(async (token) => token) });
  },
};
