import { attachButton } from '../web/attachments';
import { h, stickToBottom } from '../web/dom';
import type { Translate } from '../web/i18n';
import { MessageList } from '../web/message-list';
import type { TranscriptEntry } from '../web/transcript';
import { OFFLINE_LIMITS, type OfflineFields, type OfflineFormState } from './offline-form';
import type { PreviousConversationsState } from './previous-conversations';
import { PreviousConversationsView } from './previous-conversations-view';
import type { EmailRequestState, HomeState, WidgetProblem, WidgetScreen } from './widget-screen';
import { WIDGET_CSS } from './widget-styles';

const CLOSE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

export interface WidgetViewEvents {
  toggle(): void;
  send(text: string): void;
  typing(): void;
  preChat(profile: { name?: string; email?: string }): void;
  rate(score: number, comment: string): void;
  newConversation(): void;
  offlineForm(fields: OfflineFields): void;
  handoff(): void;
  acceptOffer(email: string): void;
  requestTranscript(email: string): void;
  openPrevious(conversationId: string): void;
  /** Issue 11: a file chosen with the attach button. */
  attach(file: File): void;
  /** Shows a message's file (clients/web/attachments.ts). */
  renderAttachment(attachment: NonNullable<TranscriptEntry['attachment']>): HTMLElement;
  closePrevious(): void;
  morePrevious(): void;
  retry(): void;
  leaveEmail(): void;
}

/** A small form of one email field and a button, with its status line (ticket offer, transcript). */
class EmailRequestForm {
  readonly element: HTMLFormElement;
  private readonly input: HTMLInputElement;
  private readonly button: HTMLButtonElement;
  private readonly status: HTMLElement;
  private shown: EmailRequestState | undefined;

  constructor(
    private readonly t: Translate,
    className: string,
    prompt: string,
    submit: string,
    private readonly sentText: (email: string) => string,
    onSubmit: (email: string) => void,
  ) {
    this.input = h('input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: OFFLINE_LIMITS.email });
    this.button = h('button', { class: 'primary', type: 'submit' }, submit);
    this.status = h('p', { class: 'request-status', role: 'status' });
    this.element = h(
      'form',
      { class: `email-request ${className}`, hidden: true, 'aria-label': prompt },
      h('p', { class: 'prompt' }, prompt),
      h('label', {}, t('email'), this.input),
      this.button,
      this.status,
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.shown?.status !== 'sending') onSubmit(this.input.value);
    });
  }

  show(state: EmailRequestState | undefined): void {
    const previous = this.shown;
    this.shown = state;
    this.element.hidden = state === undefined;
    if (!state) return;
    // The customer's typing wins over the prefill, except when the server names the address.
    if (!previous || state.status === 'sent' || this.input.value === '') this.input.value = state.email;
    const sent = state.status === 'sent';
    this.input.closest('label')!.hidden = sent;
    this.button.hidden = sent;
    this.button.disabled = state.status === 'sending';
    this.status.classList.toggle('error', state.status === 'failed');
    this.status.textContent =
      state.status === 'sent'
        ? this.sentText(state.email)
        : state.status === 'sending'
          ? this.t('offlineSending')
          : state.status === 'failed'
            ? `${state.failure ?? ''} ${this.t('retry')}`.trim()
            : '';
  }
}

/** The offline contact form: name, email, message, validated field by field; a confirmation once the ticket exists. */
class OfflineContactForm {
  readonly element: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly inputs: { name: HTMLInputElement; email: HTMLInputElement; message: HTMLTextAreaElement };
  private readonly errors: Record<keyof OfflineFields, HTMLElement>;
  private readonly submit: HTMLButtonElement;
  private readonly failure: HTMLElement;
  private readonly confirmation: HTMLElement;
  private filled = false;

  constructor(
    private readonly t: Translate,
    onSubmit: (fields: OfflineFields) => void,
  ) {
    this.inputs = {
      name: h('input', {
        name: 'name',
        autocomplete: 'name',
        maxlength: OFFLINE_LIMITS.name,
        'aria-describedby': 'parley-offline-name-error',
      }),
      email: h('input', {
        name: 'email',
        type: 'email',
        autocomplete: 'email',
        maxlength: OFFLINE_LIMITS.email,
        'aria-describedby': 'parley-offline-email-error',
      }),
      message: h('textarea', {
        name: 'message',
        rows: 4,
        maxlength: OFFLINE_LIMITS.message,
        'aria-describedby': 'parley-offline-message-error',
      }),
    };
    const errorLine = (field: keyof OfflineFields) => h('span', { class: 'field-error', id: `parley-offline-${field}-error` });
    this.errors = { name: errorLine('name'), email: errorLine('email'), message: errorLine('message') };
    this.submit = h('button', { class: 'primary', type: 'submit' }, t('sendMessage'));
    this.failure = h('p', { class: 'error', role: 'alert', hidden: true });
    this.form = h(
      'form',
      { class: 'offline', novalidate: true },
      h('p', {}, t('offlineIntro')),
      h('label', {}, t('name'), this.inputs.name, this.errors.name),
      h('label', {}, t('email'), this.inputs.email, this.errors.email),
      h('label', {}, t('message'), this.inputs.message, this.errors.message),
      this.failure,
      this.submit,
    );
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      onSubmit({ name: this.inputs.name.value, email: this.inputs.email.value, message: this.inputs.message.value });
    });
    this.confirmation = h('p', { class: 'confirmation', role: 'status', tabindex: -1, hidden: true });
    this.element = h('section', { class: 'offline-section', hidden: true }, this.form, this.confirmation);
  }

  get firstField(): HTMLElement {
    return this.confirmation.hidden ? this.inputs.name : this.confirmation;
  }

  show(state: OfflineFormState): void {
    if (!this.filled) {
      // Prefill once; afterwards the fields are the customer's.
      this.filled = true;
      this.inputs.name.value = state.fields.name;
      this.inputs.email.value = state.fields.email;
      this.inputs.message.value = state.fields.message;
    }
    const sent = state.status === 'sent';
    this.form.hidden = sent;
    this.confirmation.hidden = !sent;
    if (sent) {
      const wasHidden = this.confirmation.textContent === '';
      this.confirmation.textContent = this.t('offlineSent', { email: state.sentTo ?? state.fields.email });
      if (wasHidden) this.confirmation.focus();
      return;
    }
    let firstInvalid: HTMLElement | undefined;
    for (const field of ['name', 'email', 'message'] as const) {
      const error = state.errors[field];
      this.errors[field].textContent = error ? this.t(error) : '';
      if (error) this.inputs[field].setAttribute('aria-invalid', 'true');
      else this.inputs[field].removeAttribute('aria-invalid');
      if (error && !firstInvalid) firstInvalid = this.inputs[field];
    }
    firstInvalid?.focus();
    this.submit.disabled = state.status === 'sending';
    this.submit.textContent = this.t(state.status === 'sending' ? 'offlineSending' : state.status === 'failed' ? 'retry' : 'sendMessage');
    this.failure.hidden = state.status !== 'failed';
    this.failure.textContent = state.failure ?? '';
  }
}

/** The panel with no conversation yet: a greeting and whether the team is online. */
class HomeCard {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;

  constructor(private readonly t: Translate) {
    this.status = h('p', { class: 'team-status' });
    this.element = h(
      'section',
      { class: 'home', hidden: true, 'aria-labelledby': 'parley-home-greeting' },
      h('h3', { id: 'parley-home-greeting' }, t('homeGreeting')),
      h('p', {}, t('homeIntro')),
      this.status,
    );
  }

  show(home: HomeState | undefined): void {
    this.element.hidden = home === undefined;
    const online = home?.teamOnline;
    this.status.hidden = online === undefined;
    this.status.classList.toggle('online', online === true);
    this.status.textContent = online === undefined ? '' : this.t(online ? 'homeTeamOnline' : 'homeTeamAway');
  }
}

/** A problem that stops the chat, said in words, with Retry (and the offline form when the socket keeps failing). */
class ProblemCard {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly leaveEmail: HTMLButtonElement;

  constructor(t: Translate, events: Pick<WidgetViewEvents, 'retry' | 'leaveEmail'>) {
    this.text = h('p', {});
    this.leaveEmail = h('button', { class: 'secondary', type: 'button', onclick: () => events.leaveEmail() }, t('leaveEmailInstead'));
    this.element = h(
      'div',
      { class: 'problem', role: 'alert', hidden: true },
      this.text,
      h(
        'div',
        { class: 'actions' },
        h('button', { class: 'primary', type: 'button', onclick: () => events.retry() }, t('retry')),
        this.leaveEmail,
      ),
    );
  }

  show(problem: WidgetProblem | undefined): void {
    this.element.hidden = problem === undefined;
    if (this.text.textContent !== (problem?.text ?? '')) this.text.textContent = problem?.text ?? '';
    this.leaveEmail.hidden = !problem?.leaveEmail;
  }
}

/** The widget's DOM inside its shadow root; it shows what the controller tells it and reports what the user does. */
export class WidgetView implements WidgetScreen {
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
  /** Issue 11: an upload in progress. */
  private readonly uploadStatus: HTMLElement;
  private readonly preChatForm: HTMLFormElement;
  private readonly rating: HTMLElement;
  private readonly ratingForm: HTMLFormElement;
  private readonly ratedLine: HTMLElement;
  private readonly closedLine: HTMLElement;
  private readonly away: HTMLElement;
  private readonly offline: OfflineContactForm;
  private readonly handoffButton: HTMLButtonElement;
  private readonly offer: EmailRequestForm;
  private readonly transcriptRequest: EmailRequestForm;
  private readonly previous: PreviousConversationsView;
  private readonly root: HTMLElement;
  private readonly thread: HTMLElement;
  private readonly home: HomeCard;
  private readonly problem: ProblemCard;
  private content: 'chat' | 'prechat' | 'form' = 'chat';

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
    this.away = h('div', { class: 'away', role: 'status', hidden: true });
    this.offline = new OfflineContactForm(t, (fields) => events.offlineForm(fields));
    this.handoffButton = h(
      'button',
      { class: 'secondary handoff', type: 'button', hidden: true, onclick: () => events.handoff() },
      t('talkToPerson'),
    );
    this.offer = new EmailRequestForm(
      t,
      'offer',
      t('offerPrompt'),
      t('offerSubmit'),
      (email) => t('ticketNotice', { email }),
      (email) => events.acceptOffer(email),
    );
    this.transcriptRequest = new EmailRequestForm(
      t,
      'transcript-request',
      t('transcriptPrompt'),
      t('transcriptSubmit'),
      (email) => t('transcriptSent', { email }),
      (email) => events.requestTranscript(email),
    );
    this.list = new MessageList({ t, locale, nameOf, renderAttachment: (attachment) => events.renderAttachment(attachment) });
    this.list.element.setAttribute('aria-label', t('title'));
    this.previous = new PreviousConversationsView(
      t,
      locale,
      { open: (id) => events.openPrevious(id), back: () => events.closePrevious(), more: () => events.morePrevious() },
      nameOf,
    );
    // The thread around it scrolls (and takes the focus for keyboard scrolling), not the list itself.
    this.list.element.removeAttribute('tabindex');
    // A plain list that announces additions: role=log would hide the items' list semantics (axe: listitem).
    this.list.element.removeAttribute('role');
    this.home = new HomeCard(t);
    this.problem = new ProblemCard(t, events);
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
    this.uploadStatus = h('p', { class: 'upload-status', role: 'status', hidden: true });
    this.composer = h(
      'form',
      { class: 'composer' },
      attachButton(t, (file) => events.attach(file)),
      this.input,
      h('button', { class: 'primary', type: 'submit' }, t('send')),
    );
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
    this.ratedLine = h('p', { class: 'rated', role: 'status', hidden: true }, t('rated'));
    this.closedLine = h('p', { class: 'closed-notice' }, t('closedNotice'));
    this.rating = h(
      'section',
      { class: 'rating', hidden: true },
      this.closedLine,
      this.ratingForm,
      this.ratedLine,
      this.transcriptRequest.element,
      h('button', { class: 'secondary', type: 'button', onclick: () => events.newConversation() }, t('newConversation')),
    );

    const close = h('button', {
      class: 'close',
      type: 'button',
      'aria-label': t('launcherClose'),
      onclick: () => {
        events.toggle();
        this.launcher.focus();
      },
    });
    close.innerHTML = CLOSE_ICON;
    // The rating scrolls with the thread, so neither squeezes the other.
    this.thread = h(
      'div',
      { class: 'thread', tabindex: 0, role: 'region', 'aria-label': t('title') },
      this.home.element,
      this.list.element,
      this.rating,
    );
    this.panel = h(
      'section',
      { class: 'panel', id: 'parley-panel', role: 'dialog', 'aria-label': t('title'), hidden: true },
      h('header', {}, h('div', { class: 'heading' }, h('h2', {}, t('title')), h('p', {}, t('subtitle'))), close),
      this.banner,
      this.problem.element,
      this.notice,
      this.away,
      this.preChatForm,
      this.offline.element,
      this.previous.element,
      this.thread,
      this.typingLine,
      this.handoffButton,
      this.offer.element,
      this.composerError,
      this.uploadStatus,
      this.composer,
    );
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        events.toggle();
        this.launcher.focus();
      }
    });
    this.root = h('div', { class: 'root', lang: locale }, this.panel, this.launcher);
    shadow.append(style, this.root);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  setOpen(open: boolean): void {
    const opening = open && this.panel.hidden;
    this.panel.hidden = !open;
    this.root.classList.toggle('open', open);
    this.launcher.setAttribute('aria-expanded', String(open));
    this.launcher.setAttribute('aria-label', this.t(open ? 'launcherClose' : 'launcherOpen'));
    if (opening) this.focusContent();
  }

  setLauncherVisible(visible: boolean): void {
    this.launcher.hidden = !visible;
  }

  setContent(content: 'chat' | 'prechat' | 'form'): void {
    if (content === this.content) return;
    const focused = this.host.shadowRoot?.activeElement != null;
    this.content = content;
    this.preChatForm.hidden = content !== 'prechat';
    this.offline.element.hidden = content !== 'form';
    this.thread.hidden = content !== 'chat';
    this.typingLine.hidden = content !== 'chat';
    if (content !== 'chat') this.composer.hidden = true;
    // Focus follows the content it was in (e.g. the form gives way to the chat when the team opens).
    if (focused && this.isOpen) this.focusContent();
  }

  setComposerVisible(visible: boolean): void {
    this.composer.hidden = !visible || this.content !== 'chat';
  }

  setAway(text: string | undefined): void {
    this.away.hidden = text === undefined;
    if (this.away.textContent !== (text ?? '')) this.away.textContent = text ?? '';
  }

  showOfflineForm(state: OfflineFormState): void {
    this.offline.show(state);
  }

  showHandoff(visible: boolean): void {
    this.handoffButton.hidden = !visible;
  }

  showOffer(state: EmailRequestState | undefined): void {
    this.offer.show(state);
  }

  showTranscriptRequest(state: EmailRequestState | undefined): void {
    this.transcriptRequest.show(state);
  }

  private focusContent(): void {
    const target =
      this.content === 'form' ? this.offline.firstField : this.content === 'prechat' ? this.preChatForm.querySelector('input') : this.input;
    target?.focus();
  }

  showPrevious(state: PreviousConversationsState | undefined): void {
    this.previous.show(state);
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
    // Unchanged text is not rewritten, so the live region does not announce it again.
    if (this.notice.textContent !== (text ?? '')) this.notice.textContent = text ?? '';
  }

  setTyping(text: string | undefined): void {
    this.typingLine.textContent = text ?? '';
  }

  setError(text: string | undefined): void {
    this.composerError.hidden = text === undefined;
    this.composerError.textContent = text ?? '';
  }

  /** Issue 11: what an upload is doing (undefined: nothing). */
  setUpload(text: string | undefined): void {
    this.uploadStatus.hidden = text === undefined;
    this.uploadStatus.textContent = text ?? '';
  }

  clearComposer(): void {
    this.input.value = '';
  }

  renderMessages(entries: readonly TranscriptEntry[]): void {
    stickToBottom(this.thread, () => this.list.render(entries));
  }

  showHome(home: HomeState | undefined): void {
    this.home.show(home);
  }

  showProblem(problem: WidgetProblem | undefined): void {
    this.problem.show(problem);
  }

  resetMessages(): void {
    this.list.clear();
  }

  /** After a close: ask for a rating (or thank for one) until the customer starts again. */
  showRating(state: 'hidden' | 'ask' | 'rated', closedText?: string): void {
    const appearing = state !== 'hidden' && this.rating.hidden;
    this.rating.hidden = state === 'hidden';
    // Once the rest of this render filled it in: the rating's top a third down, the last messages above it.
    if (appearing) queueMicrotask(() => (this.thread.scrollTop = Math.max(0, this.rating.offsetTop - this.thread.clientHeight / 3)));
    if (closedText !== undefined) this.closedLine.textContent = closedText;
    this.ratingForm.hidden = state !== 'ask';
    this.ratedLine.hidden = state !== 'rated';
  }

  private lightStars(stars: HTMLElement, score: number): void {
    for (const label of stars.querySelectorAll<HTMLElement>('label')) label.classList.toggle('lit', Number(label.dataset.score) <= score);
  }
}
