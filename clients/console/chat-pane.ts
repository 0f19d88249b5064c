import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { Translate } from '../web/i18n';
import { MessageList, formatTime } from '../web/message-list';
import type { TranscriptEntry } from '../web/transcript';
import { CANNED_RESPONSES } from './canned-responses';

export interface ChatPaneEvents {
  send(text: string): void;
  /** An internal note (issue 10): staff only, never shown to the customer. */
  note(text: string): void;
  typing(): void;
  close(): void;
  transfer(target: { toAgentId: string } | { toSkill: string }, note: string): void;
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
  private readonly error: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly content: HTMLElement;
  private readonly detailsList: HTMLDListElement;

  constructor(
    private readonly t: Translate,
    private readonly locale: string,
    events: ChatPaneEvents,
  ) {
    this.title = h('h2', { id: 'chat-title' });
    this.closeButton = h('button', { type: 'button', class: 'danger', onclick: () => events.close() }, t('closeConversation'));
    this.list = new MessageList({
      t,
      locale,
      nameOf: (entry) =>
        entry.sender?.role === 'system' && entry.sender.id !== 'bot' ? t('system') : (entry.sender?.name ?? entry.sender?.id ?? ''),
    });
    this.list.element.setAttribute('aria-labelledby', 'chat-title');
    this.typingLine = h('div', { class: 'typing', 'aria-live': 'polite' });
    this.input = h('textarea', { name: 'reply', 'aria-label': t('composerLabel'), placeholder: t('composerPlaceholder'), maxlength: 8000 });
    this.input.addEventListener('keydown', (event) => {
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
    const canned = h(
      'select',
      { 'aria-label': t('canned') },
      h('option', { value: '' }, `${t('canned')}…`),
      ...CANNED_RESPONSES.map((key) => h('option', { value: t(key) }, t(key))),
    );
    canned.addEventListener('change', () => {
      if (!canned.value) return;
      this.input.value = this.input.value ? `${this.input.value} ${canned.value}` : canned.value;
      canned.value = '';
      this.input.focus();
    });
    this.composer = h(
      'form',
      { class: 'composer' },
      this.input,
      h(
        'div',
        { class: 'composer-side' },
        h('div', { class: 'composer-modes', role: 'group', 'aria-label': t('composerModes') }, this.replyButton, this.noteButton),
        h('button', { type: 'submit', class: 'primary' }, t('send')),
        canned,
      ),
    );
    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.input.value.trim() === '') return;
      if (this.mode === 'note') events.note(this.input.value);
      else events.send(this.input.value);
    });
    this.setMode('reply');

    const toAgent = h('input', { name: 'toAgentId', size: 14 });
    const toSkill = h('input', { name: 'toSkill', size: 10 });
    const note = h('input', { name: 'note', size: 18, maxlength: 500 });
    const transfer = h(
      'form',
      { 'aria-label': t('transfer') },
      h('label', {}, t('transferToAgent'), toAgent),
      h('label', {}, t('transferToSkill'), toSkill),
      h('label', {}, t('transferNote'), note),
      h('button', { type: 'submit', class: 'secondary' }, t('transfer')),
    );
    transfer.addEventListener('submit', (event) => {
      event.preventDefault();
      const agentId = toAgent.value.trim();
      const skill = toSkill.value.trim();
      if ((agentId === '') === (skill === '')) {
        this.showError(`${t('transferToAgent')} / ${t('transferToSkill')}`);
        return;
      }
      events.transfer(agentId ? { toAgentId: agentId } : { toSkill: skill }, note.value.trim());
      toAgent.value = toSkill.value = note.value = '';
    });
    this.tools = h('details', { class: 'transfer' }, h('summary', {}, t('transfer')), transfer);
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.placeholder = h('p', { class: 'placeholder' }, t('pickConversation'));
    this.content = h(
      'div',
      { class: 'chat', hidden: true, style: 'display:contents' },
      h('div', { class: 'chat-head' }, this.title, this.closeButton),
      this.list.element,
      this.typingLine,
      this.error,
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

  /** Shows a conversation (or none); a different one than before starts from a clean list. */
  show(summary: ConversationSummary | undefined, switched: boolean): void {
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
    const open = summary.status !== 'closed';
    this.title.textContent = summary.customer.name ?? summary.customer.id;
    this.closeButton.hidden = !open;
    this.composer.hidden = !open;
    this.tools.hidden = !open;
    const rows: Array<[string, string]> = [
      [this.t('name'), summary.customer.name ?? '—'],
      [this.t('customerId'), summary.customer.id],
      [this.t('skill'), summary.skill ?? '—'],
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
}
