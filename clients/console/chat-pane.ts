import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { Translate } from '../web/i18n';
import { MessageList, formatTime } from '../web/message-list';
import type { TranscriptEntry } from '../web/transcript';
import { CANNED_RESPONSES } from './canned-responses';
import { TransferPicker, type TransferTarget, type TransferTargets } from './transfer-picker';

export interface ChatPaneEvents {
  send(text: string): void;
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
  private readonly tools: HTMLDetailsElement;
  private readonly picker: TransferPicker;
  /** Says the conversation was transferred away from this agent (read-only from then on). */
  private readonly transferredLine: HTMLElement;
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
    this.input.addEventListener('input', () => events.typing());
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
      h('div', { class: 'composer-side' }, h('button', { type: 'submit', class: 'primary' }, t('send')), canned),
    );
    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.input.value.trim() !== '') events.send(this.input.value);
    });

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

  /** A skill's display name, as the transfer picker last read the configured skills. */
  skillLabel(skillId: string): string {
    return this.picker.labelOf(skillId);
  }

  /**
   * Shows a conversation (or none); a different one than before starts from a clean list.
   * With `transferredTo` it was transferred away from this agent: shown read-only, saying where.
   */
  show(summary: ConversationSummary | undefined, switched: boolean, transferredTo?: string): void {
    this.placeholder.hidden = summary !== undefined;
    this.content.hidden = summary === undefined;
    if (switched) {
      this.list.clear();
      this.typingLine.textContent = '';
      this.showError(undefined);
      this.input.value = '';
    }
    this.details.hidden = summary === undefined;
    if (!summary) {
      this.detailsList.replaceChildren();
      return;
    }
    const open = summary.status !== 'closed' && transferredTo === undefined;
    this.transferredLine.hidden = transferredTo === undefined;
    this.transferredLine.textContent = transferredTo === undefined ? '' : this.t('transferredTo', { target: transferredTo });
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
