import { h } from '../web/dom';
import type { Translate } from '../web/i18n';
import { MessageList } from '../web/message-list';
import type { TranscriptEntry } from '../web/transcript';
import { WIDGET_CSS } from './widget-styles';

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

export interface WidgetViewEvents {
  toggle(): void;
  send(text: string): void;
  typing(): void;
  preChat(profile: { name?: string; email?: string }): void;
  rate(score: number, comment: string): void;
  newConversation(): void;
}

/** The widget's DOM inside its shadow root; it shows what the controller tells it and reports what the user does. */
export class WidgetView {
  readonly host: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly panel: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly list: MessageList;
  private readonly typingLine: HTMLElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly composerError: HTMLElement;
  private readonly preChatForm: HTMLFormElement;
  private readonly rating: HTMLElement;
  private readonly ratingForm: HTMLFormElement;
  private readonly ratedLine: HTMLElement;

  constructor(
    private readonly t: Translate,
    locale: string,
    events: WidgetViewEvents,
    nameOf: (entry: TranscriptEntry) => string,
  ) {
    this.host = h('div', { id: 'parley-widget', 'data-parley': 'widget' });
    const shadow = this.host.attachShadow({ mode: 'open' });
    const style = h('style');
    style.textContent = WIDGET_CSS;

    this.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    this.launcher = h('button', {
      class: 'launcher',
      type: 'button',
      'aria-label': t('launcherOpen'),
      'aria-expanded': 'false',
      'aria-controls': 'parley-panel',
      onclick: () => events.toggle(),
    });
    this.launcher.innerHTML = CHAT_ICON;
    this.launcher.append(this.badge);

    this.banner = h('div', { class: 'banner', role: 'status', hidden: true });
    this.notice = h('div', { class: 'notice', role: 'status', hidden: true });
    this.list = new MessageList({ t, locale, nameOf });
    this.list.element.setAttribute('aria-label', t('title'));
    this.typingLine = h('div', { class: 'typing', 'aria-live': 'polite' });

    this.input = h('textarea', {
      name: 'text',
      rows: 1,
      placeholder: t('composerPlaceholder'),
      'aria-label': t('composerLabel'),
      maxlength: 8000,
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.composer.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => events.typing());
    this.composerError = h('p', { class: 'error', role: 'alert', hidden: true });
    this.composer = h('form', { class: 'composer' }, this.input, h('button', { class: 'primary', type: 'submit' }, t('send')));
    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value;
      if (text.trim() === '') return;
      events.send(text);
    });

    const nameInput = h('input', { name: 'name', autocomplete: 'name', maxlength: 100 });
    const emailInput = h('input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: 254 });
    this.preChatForm = h(
      'form',
      { class: 'prechat', hidden: true },
      h('p', {}, t('preChatIntro')),
      h('label', {}, t('name'), nameInput),
      h('label', {}, t('email'), emailInput),
      h('button', { class: 'primary', type: 'submit' }, t('startChat')),
    );
    this.preChatForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = nameInput.value.trim();
      const email = emailInput.value.trim();
      events.preChat({ ...(name ? { name } : {}), ...(email ? { email } : {}) });
    });

    const stars = h('fieldset', { class: 'stars' }, h('legend', {}, t('ratePrompt')));
    for (let score = 1; score <= 5; score += 1) {
      const radio = h('input', { type: 'radio', name: 'score', value: score, 'aria-label': t('rateStar', { score }) });
      radio.addEventListener('change', () => this.lightStars(stars, score));
      stars.append(h('label', { 'data-score': score }, radio, h('span', { 'aria-hidden': 'true' }, '★')));
    }
    const comment = h('textarea', {
      name: 'comment',
      rows: 2,
      maxlength: 1000,
      'aria-label': t('rateComment'),
      placeholder: t('rateComment'),
    });
    const submitRating = h('button', { class: 'primary', type: 'submit' }, t('rateSubmit'));
    this.ratingForm = h('form', {}, stars, comment, submitRating);
    this.ratingForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const checked = this.ratingForm.querySelector<HTMLInputElement>('input[name=score]:checked');
      if (checked) events.rate(Number(checked.value), comment.value.trim());
    });
    this.ratedLine = h('p', { role: 'status', hidden: true }, t('rated'));
    this.rating = h(
      'section',
      { class: 'rating', hidden: true },
      h('p', {}, t('closedNotice')),
      this.ratingForm,
      this.ratedLine,
      h('button', { class: 'secondary', type: 'button', onclick: () => events.newConversation() }, t('newConversation')),
    );

    this.panel = h(
      'section',
      { class: 'panel', id: 'parley-panel', role: 'dialog', 'aria-label': t('title'), hidden: true },
      h('header', {}, h('h2', {}, t('title')), h('p', {}, t('subtitle'))),
      this.banner,
      this.notice,
      this.preChatForm,
      this.list.element,
      this.typingLine,
      this.rating,
      this.composerError,
      this.composer,
    );
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        events.toggle();
        this.launcher.focus();
      }
    });
    shadow.append(style, h('div', { class: 'root', lang: locale }, this.panel, this.launcher));
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.launcher.setAttribute('aria-label', this.t(open ? 'launcherClose' : 'launcherOpen'));
    if (open) (this.preChatForm.hidden ? this.input : this.preChatForm.querySelector('input'))?.focus();
  }

  showPreChat(show: boolean): void {
    this.preChatForm.hidden = !show;
    this.composer.hidden = show;
    this.list.element.hidden = show;
  }

  setUnread(count: number): void {
    this.badge.hidden = count === 0;
    this.badge.textContent = count > 99 ? '99+' : String(count);
    this.launcher.setAttribute(
      'aria-label',
      count > 0 ? `${this.t('launcherOpen')} (${count})` : this.t(this.isOpen ? 'launcherClose' : 'launcherOpen'),
    );
  }

  setBanner(text: string | undefined, offline = false): void {
    this.banner.hidden = text === undefined;
    this.banner.textContent = text ?? '';
    this.banner.classList.toggle('offline', offline);
  }

  setNotice(text: string | undefined): void {
    this.notice.hidden = text === undefined;
    this.notice.textContent = text ?? '';
  }

  setTyping(text: string | undefined): void {
    this.typingLine.textContent = text ?? '';
  }

  setError(text: string | undefined): void {
    this.composerError.hidden = text === undefined;
    this.composerError.textContent = text ?? '';
  }

  clearComposer(): void {
    this.input.value = '';
  }

  renderMessages(entries: readonly TranscriptEntry[]): void {
    this.list.render(entries);
  }

  resetMessages(): void {
    this.list.clear();
  }

  /** After a close: ask for a rating (or thank for one) until the customer starts again. */
  showRating(state: 'hidden' | 'ask' | 'rated'): void {
    this.rating.hidden = state === 'hidden';
    this.ratingForm.hidden = state !== 'ask';
    this.ratedLine.hidden = state !== 'rated';
  }

  private lightStars(stars: HTMLElement, score: number): void {
    for (const label of stars.querySelectorAll<HTMLElement>('label')) label.classList.toggle('lit', Number(label.dataset.score) <= score);
  }
}
