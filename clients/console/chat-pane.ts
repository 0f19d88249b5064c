import type { ConversationSummary } from '../parley-client/src/index';
import { attachButton } from '../web/attachments';
import { h } from '../web/dom';
import type { Translate } from '../web/i18n';
import { MessageList, formatTime } from '../web/message-list';
import type { TranscriptEntry } from '../web/transcript';
import type { CannedResponse } from '../web/http-api';
import { fillPlaceholders, type Inserted, insertAt, placeholderValues, replaceSlashWord, slashQuery } from './canned-composer';
import { CannedPicker } from './canned-picker';
import { canAnswer, chatPaneView } from './chat-pane-view';
import { TransferPicker, type TransferTarget, type TransferTargets } from './transfer-picker';

export interface ChatPaneEvents {
  send(text: string): void;
  /** Issue 11: a file chosen with the attach button, to upload and send. */
  attach(file: File): void;
  /** Shows a message's file (clients/web/attachments.ts). */
  renderAttachment(attachment: NonNullable<TranscriptEntry['attachment']>): HTMLElement;
  /** An internal note (issue 10): staff only, never shown to the customer. */
  note(text: string): void;
  typing(): void;
  close(): void;
  transfer(target: TransferTarget, note: string): void;
  /** Who could take a transfer now (read when the picker opens). */
  transferTargets(): Promise<TransferTargets>;
  /** The signed-in user, not offered as a transfer target. */
  readonly selfId: string;
}

const STATUS_KEY = {
  bot: 'statusBot',
  queued: 'statusQueued',
  assigned: 'statusAssigned',
  closed: 'statusClosed',
  ticket: 'statusTicket',
} as const;

/** The selected conversation: history, typing and read state, composer, canned responses, transfer, close, customer details. */
export class ChatPane {
  readonly element: HTMLElement;
  readonly details: HTMLElement;
  private readonly title: HTMLHeadingElement;
  private readonly closeButton: HTMLButtonElement;
  private readonly list: MessageList;
  private readonly typingLine: HTMLElement;
  private readonly composer: HTMLFormElement;
  private readonly input: HTMLTextAreaElement;
  private readonly replyButton: HTMLButtonElement;
  private readonly noteButton: HTMLButtonElement;
  /** What the composer writes: a reply to the customer, or an internal note. */
  private mode: 'reply' | 'note' = 'reply';
  private readonly tools: HTMLDetailsElement;
  private readonly picker: TransferPicker;
  /** Says the conversation was transferred away from this agent (read-only from then on). */
  private readonly transferredLine: HTMLElement;
  private readonly error: HTMLElement;
  /** Issue 11: an upload in progress. */
  private readonly uploadStatus: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly content: HTMLElement;
  private readonly detailsList: HTMLDListElement;
  private readonly slashPicker: CannedPicker;
  private readonly browsePicker: CannedPicker;
  private readonly browsePanel: HTMLElement;
  private readonly browseButton: HTMLButtonElement;
  private readonly browseSearch: HTMLInputElement;
  private summary: ConversationSummary | undefined;

  constructor(
    private readonly t: Translate,
    private readonly locale: string,
    events: ChatPaneEvents,
    /** Who is signed in: `{agent.name}` in canned responses. */
    private readonly agentName: string,
  ) {
    this.title = h('h2', { id: 'chat-title' });
    this.closeButton = h('button', { type: 'button', class: 'danger', onclick: () => events.close() }, t('closeConversation'));
    this.list = new MessageList({
      t,
      locale,
      nameOf: (entry) =>
        entry.sender?.role === 'system' && entry.sender.id !== 'bot' ? t('system') : (entry.sender?.name ?? entry.sender?.id ?? ''),
      renderAttachment: (attachment) => events.renderAttachment(attachment),
    });
    this.uploadStatus = h('p', { class: 'upload-status', role: 'status', hidden: true });
    this.list.element.setAttribute('aria-labelledby', 'chat-title');
    this.typingLine = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', {
      name: 'reply',
      'aria-label': t('composerLabel'),
      'aria-describedby': 'composer-hint',
      placeholder: t('composerPlaceholder'),
      maxlength: 8000,
    });
    // The `/` list: open while the message starts with `/` and the caret is in that word.
    this.slashPicker = new CannedPicker(
      t,
      this.input,
      () => slashQuery(this.input.value, this.input.selectionStart ?? this.input.value.length),
      (response) => this.insert(replaceSlashWord(this.input.value, this.fill(response))),
    );
    this.input.addEventListener('keydown', (event) => {
      if (this.slashPicker.onKeyDown(event)) return;
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.composer.requestSubmit();
      }
    });
    // Typing shows to the customer: not while writing a note.
    this.input.addEventListener('input', () => {
      if (this.mode === 'reply') events.typing();
    });
    this.replyButton = h(
      'button',
      { type: 'button', class: 'secondary', 'data-mode': 'reply', onclick: () => this.setMode('reply') },
      t('replyMode'),
    );
    this.noteButton = h(
      'button',
      { type: 'button', class: 'secondary', 'data-mode': 'note', onclick: () => this.setMode('note') },
      t('noteMode'),
    );
    // Moving the caret out of (or back into) the `/` word closes (or reopens) the list.
    this.input.addEventListener('click', () => this.slashPicker.refresh());
    this.input.addEventListener('keyup', (event) => {
      if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') this.slashPicker.refresh();
    });

    // The browse button: a search field over every canned response, inserted where the caret was.
    this.browseSearch = h('input', {
      type: 'search',
      name: 'canned-search',
      'aria-label': t('cannedSearch'),
      placeholder: t('cannedSearch'),
    });
    this.browsePicker = new CannedPicker(
      t,
      this.browseSearch,
      () => (this.browsePanel.hidden ? undefined : this.browseSearch.value),
      (response) => {
        this.toggleBrowse(false);
        const { selectionStart, selectionEnd, value } = this.input;
        this.insert(insertAt(value, selectionStart ?? value.length, selectionEnd ?? value.length, this.fill(response)));
      },
    );
    this.browseSearch.addEventListener('keydown', (event) => {
      if (this.browsePicker.onKeyDown(event)) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        this.toggleBrowse(false);
        this.input.focus();
      }
    });
    // The search field's list stays open while the panel is: leaving the field does not close it.
    this.browseSearch.addEventListener('focus', () => this.browsePicker.refresh());
    this.browsePanel = h(
      'div',
      { class: 'canned-browse', hidden: true },
      this.browseSearch,
      this.browsePicker.listbox,
      this.browsePicker.status,
    );
    this.browseButton = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-expanded': 'false',
        'aria-controls': 'canned-browse',
        onclick: () => this.toggleBrowse(this.browsePanel.hidden),
      },
      t('canned'),
    );
    this.browsePanel.id = 'canned-browse';
    this.composer = h(
      'form',
      { class: 'composer' },
      h(
        'div',
        { class: 'composer-main' },
        this.input,
        this.slashPicker.listbox,
        this.slashPicker.status,
        h('p', { class: 'hint', id: 'composer-hint' }, t('cannedHint')),
      ),
      h(
        'div',
        { class: 'composer-side' },
        h('div', { class: 'composer-modes', role: 'group', 'aria-label': t('composerModes') }, this.replyButton, this.noteButton),
        h('button', { type: 'submit', class: 'primary' }, t('send')),
        attachButton(t, (file) => events.attach(file)),
        this.browseButton,
      ),
      this.browsePanel,
    );
    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.input.value.trim() === '') return;
      if (this.mode === 'note') events.note(this.input.value);
      else events.send(this.input.value);
    });
    this.setMode('reply');

    this.picker = new TransferPicker({
      t,
      locale,
      selfId: events.selfId,
      load: events.transferTargets,
      transfer: (target, note) => events.transfer(target, note),
      showError: (text) => this.showError(text),
    });
    this.tools = this.picker.element;
    this.transferredLine = h('p', { class: 'transferred', role: 'status', hidden: true });
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.placeholder = h('p', { class: 'placeholder' }, t('pickConversation'));
    this.content = h(
      'div',
      { class: 'chat', hidden: true, style: 'display:contents' },
      h('div', { class: 'chat-head' }, this.title, this.closeButton),
      this.list.element,
      this.typingLine,
      this.transferredLine,
      this.error,
      this.uploadStatus,
      this.composer,
      this.tools,
    );
    this.element = h('main', { class: 'chat', 'aria-label': t('consoleTitle') }, this.placeholder, this.content);
    this.detailsList = h('dl');
    this.details = h(
      'aside',
      { class: 'details', 'aria-labelledby': 'details-title' },
      h('h2', { id: 'details-title' }, t('customerDetails')),
      this.detailsList,
    );
  }

  /** The canned responses this agent may use (GET /v1/canned-responses). */
  setCannedResponses(responses: readonly CannedResponse[]): void {
    this.slashPicker.setResponses(responses);
    this.browsePicker.setResponses(responses);
  }

  private fill(response: CannedResponse) {
    return fillPlaceholders(response.text, placeholderValues(this.summary?.customer, this.agentName));
  }

  /** Puts inserted text in the composer; a placeholder left unfilled is selected, to be typed over. */
  private insert(inserted: Inserted): void {
    this.input.value = inserted.value;
    this.input.focus();
    this.input.setSelectionRange(inserted.selection.start, inserted.selection.end);
    this.input.dispatchEvent(new Event('input'));
  }

  private toggleBrowse(open: boolean): void {
    this.browsePanel.hidden = !open;
    this.browseButton.setAttribute('aria-expanded', String(open));
    if (open) {
      this.browseSearch.value = '';
      this.browseSearch.focus();
      this.browsePicker.refresh();
    } else this.browsePicker.close();
  }

  /** A skill's display name, as the transfer picker last read the configured skills. */
  skillLabel(skillId: string): string {
    return this.picker.labelOf(skillId);
  }

  /**
   * Shows a conversation (or none); a different one than before starts from a clean list.
   * With `transferredTo` it was transferred away from this agent: shown read-only, saying where.
   */
  show(summary: ConversationSummary | undefined, switched: boolean, transferredTo?: string): void {
    this.summary = summary;
    this.placeholder.hidden = summary !== undefined;
    this.content.hidden = summary === undefined;
    if (switched) {
      this.list.clear();
      this.typingLine.textContent = '';
      this.showError(undefined);
      this.input.value = '';
      this.setMode('reply');
    }
    this.details.hidden = summary === undefined;
    if (!summary) {
      this.detailsList.replaceChildren();
      return;
    }
    const view = chatPaneView(summary, transferredTo);
    const open = canAnswer(view);
    this.transferredLine.hidden = view.kind !== 'transferred';
    this.transferredLine.textContent = view.kind === 'transferred' ? this.t('transferredTo', { target: view.target }) : '';
    if (!open) this.tools.open = false;
    this.title.textContent = summary.customer.name ?? summary.customer.id;
    this.closeButton.hidden = !open;
    this.composer.hidden = !open;
    this.tools.hidden = !open;
    const rows: Array<[string, string]> = [
      [this.t('name'), summary.customer.name ?? '—'],
      [this.t('customerId'), summary.customer.id],
      [this.t('skill'), summary.skill ? this.picker.labelOf(summary.skill) : '—'],
      [this.t('conversationStatus'), this.t(STATUS_KEY[summary.status])],
      [this.t('agent'), summary.agent?.name ?? '—'],
      [this.t('startedAt'), `${new Date(summary.createdAt).toLocaleDateString(this.locale)} ${formatTime(summary.createdAt, this.locale)}`],
    ];
    this.detailsList.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
  }

  setMode(mode: 'reply' | 'note'): void {
    this.mode = mode;
    this.replyButton.setAttribute('aria-pressed', String(mode === 'reply'));
    this.noteButton.setAttribute('aria-pressed', String(mode === 'note'));
    this.composer.classList.toggle('note-mode', mode === 'note');
    this.input.placeholder = this.t(mode === 'note' ? 'notePlaceholder' : 'composerPlaceholder');
  }

  render(entries: readonly TranscriptEntry[]): void {
    this.list.render(entries);
  }

  setTyping(text: string | undefined): void {
    this.typingLine.textContent = text ?? '';
  }

  clearComposer(): void {
    this.input.value = '';
    this.input.focus();
  }

  showError(text: string | undefined): void {
    this.error.hidden = text === undefined;
    this.error.textContent = text ?? '';
  }

  /** Issue 11: what an upload is doing (undefined: nothing). */
  showUpload(text: string | undefined): void {
    this.uploadStatus.hidden = text === undefined;
    this.uploadStatus.textContent = text ?? '';
  }
}
