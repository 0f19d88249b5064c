import { matchCanned } from '../../functions/domain/canned-text';
import { h } from '../web/dom';
import type { CannedResponse } from '../web/http-api';
import type { Translate } from '../web/i18n';
import { moveActive } from './canned-composer';

let pickers = 0;

/**
 * A listbox of canned responses owned by a text field (the composer, or the browse search):
 * the field keeps focus and points at the active option with aria-activedescendant (the
 * combobox pattern), so it is usable from the keyboard alone. `queryOf` says what to filter
 * by, or undefined when the list should be closed.
 */
export class CannedPicker {
  readonly listbox: HTMLUListElement;
  private readonly announcer: HTMLElement;
  private readonly prefix = `canned-${++pickers}`;
  private responses: readonly CannedResponse[] = [];
  private shown: CannedResponse[] = [];
  private active = -1;

  constructor(
    private readonly t: Translate,
    private readonly owner: HTMLInputElement | HTMLTextAreaElement,
    private readonly queryOf: () => string | undefined,
    private readonly pick: (response: CannedResponse) => void,
  ) {
    this.listbox = h('ul', { class: 'canned-list', role: 'listbox', id: `${this.prefix}-list`, 'aria-label': t('canned'), hidden: true });
    this.announcer = h('p', { class: 'sr-only', 'aria-live': 'polite' });
    owner.setAttribute('role', 'combobox');
    owner.setAttribute('aria-autocomplete', 'list');
    owner.setAttribute('aria-controls', this.listbox.id);
    owner.setAttribute('aria-expanded', 'false');
    owner.addEventListener('input', () => this.refresh());
    owner.addEventListener('blur', () => this.close());
  }

  /** The live region saying how many match; put it next to the list. */
  get status(): HTMLElement {
    return this.announcer;
  }

  setResponses(responses: readonly CannedResponse[]): void {
    this.responses = responses;
    if (this.isOpen) this.refresh();
  }

  get isOpen(): boolean {
    return !this.listbox.hidden;
  }

  /** Re-reads the query: opens, filters or closes the list. */
  refresh(): void {
    const query = this.queryOf();
    if (query === undefined) {
      this.close();
      return;
    }
    const previous = this.shown[this.active]?.id;
    this.shown = matchCanned(this.responses, query);
    const kept = this.shown.findIndex((response) => response.id === previous);
    this.active = kept >= 0 ? kept : this.shown.length > 0 ? 0 : -1;
    this.render();
    this.listbox.hidden = false;
    this.owner.setAttribute('aria-expanded', 'true');
    this.announcer.textContent = this.shown.length > 0 ? this.t('cannedCount', { count: this.shown.length }) : this.t('cannedNone');
  }

  close(): void {
    if (!this.isOpen) return;
    this.listbox.hidden = true;
    this.owner.setAttribute('aria-expanded', 'false');
    this.owner.removeAttribute('aria-activedescendant');
    this.announcer.textContent = '';
  }

  /** Handles a key on the owner while the list is open; true when it was the list's (the caller does nothing more). */
  onKeyDown(event: KeyboardEvent): boolean {
    if (!this.isOpen || event.isComposing) return false;
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
      case 'Home':
      case 'End':
        if ((event.key === 'Home' || event.key === 'End') && this.shown.length === 0) return false;
        this.active = moveActive(this.active, event.key, this.shown.length);
        this.render();
        break;
      case 'Enter':
      case 'Tab': {
        const chosen = this.shown[this.active];
        if (!chosen) return false;
        this.close();
        this.pick(chosen);
        break;
      }
      case 'Escape':
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }

  private render(): void {
    this.listbox.replaceChildren(
      ...this.shown.map((response, index) => {
        const option = h(
          'li',
          { role: 'option', id: `${this.prefix}-option-${index}`, 'aria-selected': index === this.active ? 'true' : 'false' },
          h('span', { class: 'shortcut' }, `/${response.shortcut}`),
          ' ',
          h('span', { class: 'title' }, response.title),
          h('span', { class: 'scope' }, response.skill ?? this.t('cannedGlobal')),
          h('span', { class: 'preview' }, response.text),
        );
        // Mouse: choose without taking focus from the field.
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          this.close();
          this.pick(response);
        });
        return option;
      }),
    );
    if (this.shown.length === 0)
      this.listbox.append(
        h('li', { class: 'empty', role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false' }, this.t('cannedNone')),
      );
    const activeOption = this.active >= 0 ? this.listbox.children[this.active] : undefined;
    if (activeOption) {
      this.owner.setAttribute('aria-activedescendant', activeOption.id);
      activeOption.scrollIntoView?.({ block: 'nearest' });
    } else this.owner.removeAttribute('aria-activedescendant');
  }
}
