import { h } from '../web/dom';
import type { Translate } from '../web/i18n';
import { MessageList } from '../web/message-list';
import { Transcript, type TranscriptEntry } from '../web/transcript';
import type { PreviousConversationsState } from './previous-conversations';

export interface PreviousConversationsEvents {
  open(conversationId: string): void;
  back(): void;
  more(): void;
}

/** The widget's "Previous conversations": a folded list of past chats, one opened read-only. */
export class PreviousConversationsView {
  readonly element: HTMLDetailsElement;
  private readonly list: HTMLUListElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly reader: HTMLElement;
  private readonly readerTitle: HTMLElement;
  private readonly messages: MessageList;
  private readonly status: HTMLElement;

  constructor(
    private readonly t: Translate,
    private readonly locale: string,
    private readonly events: PreviousConversationsEvents,
    nameOf: (entry: TranscriptEntry) => string,
  ) {
    this.list = h('ul', { class: 'previous-list' });
    this.moreButton = h('button', { type: 'button', class: 'secondary', onclick: () => events.more() }, t('customerLoadMore'));
    this.messages = new MessageList({ t, locale, nameOf });
    this.readerTitle = h('p', { class: 'previous-title' });
    this.reader = h(
      'div',
      { class: 'previous-reader', hidden: true },
      h('button', { type: 'button', class: 'secondary', onclick: () => events.back() }, t('previousBack')),
      this.readerTitle,
      this.messages.element,
    );
    this.status = h('p', { class: 'previous-status', role: 'status' });
    this.element = h(
      'details',
      { class: 'previous', hidden: true },
      h('summary', {}, t('previousConversations')),
      this.list,
      this.moreButton,
      this.reader,
      this.status,
    );
  }

  show(state: PreviousConversationsState | undefined): void {
    this.element.hidden = state === undefined;
    if (!state) return;
    const opened = state.opened;
    this.list.hidden = opened !== undefined;
    this.moreButton.hidden = opened !== undefined || !state.more;
    this.reader.hidden = opened === undefined;
    this.status.textContent = state.failure
      ? this.t('errorGeneric', { message: state.failure })
      : state.status === 'loading' || opened?.loading
        ? this.t('previousLoading')
        : '';
    if (opened) {
      this.element.open = true;
      this.readerTitle.textContent = this.dateOf(opened.conversation.createdAt);
      const transcript = new Transcript(opened.conversation.id);
      for (const message of opened.messages) transcript.add(message);
      this.messages.render(transcript.entries(opened.conversation.customer.id, false));
      return;
    }
    this.list.replaceChildren(
      ...state.items.map((item) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'previous-item',
              'data-conversation-id': item.id,
              'aria-label': this.t('previousOpen', { date: this.dateOf(item.createdAt) }),
              onclick: () => this.events.open(item.id),
            },
            h('span', {}, this.dateOf(item.createdAt)),
            h('span', { class: 'previous-state' }, this.t('previousEnded')),
          ),
        ),
      ),
    );
  }

  private dateOf(iso: string): string {
    return new Date(iso).toLocaleString(this.locale, { dateStyle: 'medium', timeStyle: 'short' });
  }
}
