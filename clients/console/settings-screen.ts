import { h } from '../web/dom';
import type { HttpApi } from '../web/http-api';
import type { Translate } from '../web/i18n';

/** What a settings section gets to do its work: words, the API and a token for each call. */
export interface SettingsContext {
  readonly t: Translate;
  readonly locale: string;
  readonly api: HttpApi;
  readonly withToken: <T>(call: (token: string) => Promise<T>) => Promise<T>;
}

/**
 * One section of the Settings screen, in its own module (business hours here, auto-replies
 * from clients/console/auto-replies-settings.ts): mounted into its container once, when first
 * opened.
 */
export interface SettingsSection {
  readonly id: string;
  readonly title: (t: Translate) => string;
  readonly mount: (container: HTMLElement, context: SettingsContext) => void;
}

/** The admins' Settings screen: a list of sections on the left, the open one on the right. */
export class SettingsScreen {
  readonly element: HTMLElement;
  private readonly content: HTMLElement;
  private readonly panels = new Map<string, HTMLElement>();
  private readonly buttons = new Map<string, HTMLButtonElement>();

  constructor(
    private readonly context: SettingsContext,
    private readonly sections: readonly SettingsSection[],
    back: () => void,
  ) {
    const { t } = context;
    this.content = h('div', { class: 'settings-content' });
    const list = h('ul', { class: 'settings-sections' });
    for (const section of sections) {
      const button = h('button', { type: 'button', class: 'secondary', onclick: () => this.open(section.id) }, section.title(t));
      this.buttons.set(section.id, button);
      list.append(h('li', {}, button));
    }
    this.element = h(
      'section',
      { class: 'settings', 'aria-labelledby': 'settings-title' },
      h('h2', { id: 'settings-title', tabindex: -1 }, t('settings')),
      h('button', { type: 'button', class: 'secondary', onclick: () => back() }, t('backToConversations')),
      h('div', { class: 'settings-body' }, h('nav', { 'aria-label': t('settingsSections') }, list), this.content),
    );
    if (sections[0]) this.open(sections[0].id);
  }

  open(id: string): void {
    const section = this.sections.find((candidate) => candidate.id === id);
    if (!section) return;
    let panel = this.panels.get(id);
    if (!panel) {
      panel = h('div', { class: 'settings-panel', 'data-section': id });
      section.mount(panel, this.context);
      this.panels.set(id, panel);
    }
    this.content.replaceChildren(panel);
    for (const [sectionId, button] of this.buttons) button.setAttribute('aria-current', sectionId === id ? 'true' : 'false');
  }
}
