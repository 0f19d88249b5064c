import type { ChatMessage, ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { CustomerConversation, CustomerConversationList, HttpApi } from '../web/http-api';
import type { MessageKey, Translate } from '../web/i18n';
import { MessageList } from '../web/message-list';
import { Transcript } from '../web/transcript';

const PAGE_SIZE = 20;

const STATUS_KEY: Record<ConversationSummary['status'], MessageKey> = {
  bot: 'statusBot',
  queued: 'statusQueued',
  assigned: 'statusAssigned',
  closed: 'statusClosed',
  ticket: 'statusTicket',
};

export interface CustomerPanelOptions {
  readonly api: Pick<HttpApi, 'customerConversations' | 'history'>;
  readonly withToken: <T>(call: (token: string) => Promise<T>) => Promise<T>;
  readonly t: Translate;
  readonly locale: string;
  /** The signed-in staff member: their own messages show as theirs in a past conversation. */
  readonly userId: string;
}

/**
 * Beside the open conversation: who the customer is (email, the site's attributes), where
 * this chat started (page, referrer, language, browser), the ratings they gave, and their
 * other conversations and tickets, each opened read-only here
 * (`GET /v1/customers/{id}/conversations`, docs/web.md).
 */
export class CustomerPanel {
  readonly element: HTMLElement;
  private readonly facts: HTMLDListElement;
  private readonly ratings: HTMLElement;
  private readonly pastList: HTMLUListElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly reader: HTMLElement;
  private readonly readerTitle: HTMLElement;
  private readonly readerMessages: MessageList;
  private readonly status: HTMLElement;
  private shownFor: { conversationId: string; customerId: string } | undefined;
  private items: CustomerConversation[] = [];
  private next: string | undefined;
  /** Bumped whenever another conversation is shown: late answers for the previous one are dropped. */
  private generation = 0;

  constructor(private readonly options: CustomerPanelOptions) {
    const { t, locale } = options;
    this.facts = h('dl', { class: 'customer-facts' });
    this.ratings = h('p', { class: 'customer-ratings' });
    this.pastList = h('ul', { class: 'customer-past' });
    this.moreButton = h(
      'button',
      { type: 'button', class: 'secondary', hidden: true, onclick: () => void this.loadMore() },
      t('customerLoadMore'),
    );
    this.readerTitle = h('p', { class: 'customer-reader-title' });
    this.readerMessages = new MessageList({
      t,
      locale,
      nameOf: (entry) =>
        entry.sender?.role === 'system' && entry.sender.id !== 'bot' ? t('system') : (entry.sender?.name ?? entry.sender?.id ?? ''),
    });
    this.reader = h(
      'div',
      { class: 'customer-reader', hidden: true },
      h('button', { type: 'button', class: 'secondary', onclick: () => this.closeReader() }, t('customerBackToList')),
      this.readerTitle,
      this.readerMessages.element,
    );
    this.status = h('p', { class: 'customer-status', role: 'status' });
    this.element = h(
      'section',
      { class: 'customer-panel', 'aria-labelledby': 'customer-panel-title', hidden: true },
      h('h2', { id: 'customer-panel-title' }, t('customerPanelTitle')),
      this.facts,
      h('h3', {}, t('customerRatings')),
      this.ratings,
      h('h3', {}, t('customerPast')),
      this.pastList,
      this.moreButton,
      this.reader,
      this.status,
    );
  }

  /** The selected conversation; a different one (or customer) loads afresh. */
  show(summary: ConversationSummary | undefined): void {
    this.element.hidden = summary === undefined;
    if (!summary) {
      this.shownFor = undefined;
      return;
    }
    if (this.shownFor?.conversationId === summary.id && this.shownFor.customerId === summary.customer.id) return;
    this.shownFor = { conversationId: summary.id, customerId: summary.customer.id };
    void this.load(summary.customer.id);
  }

  private async load(customerId: string): Promise<void> {
    const generation = ++this.generation;
    this.items = [];
    this.next = undefined;
    this.closeReader();
    this.render();
    this.setStatus(this.options.t('previousLoading'));
    try {
      const page = await this.fetch(customerId, undefined);
      if (generation !== this.generation) return;
      this.items = page.conversations;
      this.next = page.next;
      this.setStatus(undefined);
      this.render();
    } catch (error) {
      if (generation === this.generation) this.setStatus(this.options.t('customerLoadFailed', { message: messageOf(error) }));
    }
  }

  private async loadMore(): Promise<void> {
    const shown = this.shownFor;
    if (!shown || !this.next) return;
    const generation = this.generation;
    try {
      const page = await this.fetch(shown.customerId, this.next);
      if (generation !== this.generation) return;
      const known = new Set(this.items.map((item) => item.id));
      this.items = [...this.items, ...page.conversations.filter((item) => !known.has(item.id))];
      this.next = page.next;
      this.render();
    } catch (error) {
      if (generation === this.generation) this.setStatus(this.options.t('customerLoadFailed', { message: messageOf(error) }));
    }
  }

  private fetch(customerId: string, before: string | undefined): Promise<CustomerConversationList> {
    return this.options.withToken((token) =>
      this.options.api.customerConversations(token, customerId, { limit: PAGE_SIZE, ...(before ? { before } : {}) }),
    );
  }

  private render(): void {
    const { t } = this.options;
    // This chat's own snapshot; else the newest one that has any (the customer's latest known details).
    const current =
      this.items.find((item) => item.id === this.shownFor?.conversationId)?.context ?? this.items.find((item) => item.context)?.context;
    const rows: Array<[string, Node | string]> = [];
    if (current?.email) rows.push([t('email'), current.email]);
    if (current?.page) rows.push([t('customerPage'), link(current.page)]);
    if (current?.referrer) rows.push([t('customerReferrer'), link(current.referrer)]);
    if (current?.locale) rows.push([t('customerLocale'), current.locale]);
    if (current?.timeZone) rows.push([t('customerTimeZone'), current.timeZone]);
    if (current?.userAgent) rows.push([t('customerBrowser'), current.userAgent]);
    for (const [key, value] of Object.entries(current?.attrs ?? {})) rows.push([key, String(value)]);
    this.facts.replaceChildren(...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));

    const rated = this.items.filter((item) => item.rating);
    this.ratings.textContent =
      rated.length === 0
        ? t('customerNoRatings')
        : rated.map((item) => `${'★'.repeat(item.rating!.score)} ${this.dateOf(item.createdAt)}`).join(' · ');

    const others = this.items.filter((item) => item.id !== this.shownFor?.conversationId);
    this.pastList.replaceChildren(
      ...(others.length === 0
        ? [h('li', { class: 'empty' }, t('customerNoPast'))]
        : others.map((item) =>
            h(
              'li',
              {},
              h(
                'button',
                { type: 'button', class: 'customer-past-item', 'data-conversation-id': item.id, onclick: () => void this.open(item) },
                h('span', {}, this.dateOf(item.createdAt)),
                h('span', {}, item.skill ?? ''),
                h('span', { class: 'status' }, t(STATUS_KEY[item.status])),
              ),
            ),
          )),
    );
    this.moreButton.hidden = this.next === undefined;
  }

  /** A past conversation, read-only: its messages from the history endpoint (the server checks who may read it). */
  private async open(item: CustomerConversation): Promise<void> {
    const { t } = this.options;
    const generation = this.generation;
    this.reader.hidden = false;
    this.pastList.hidden = true;
    this.moreButton.hidden = true;
    this.readerTitle.textContent = t('customerReadOnly', {
      skill: item.skill ?? '',
      status: t(STATUS_KEY[item.status]),
      date: this.dateOf(item.createdAt),
    });
    this.readerMessages.render([]);
    try {
      const messages: ChatMessage[] = await this.options.withToken((token) => this.options.api.history(token, item.id, item.lastSeq));
      if (generation !== this.generation || this.reader.hidden) return;
      const transcript = new Transcript(item.id);
      for (const message of messages) transcript.add(message);
      this.readerMessages.render(transcript.entries(this.options.userId, false));
    } catch (error) {
      if (generation === this.generation) this.setStatus(t('customerLoadFailed', { message: messageOf(error) }));
    }
  }

  private closeReader(): void {
    this.reader.hidden = true;
    this.pastList.hidden = false;
    this.moreButton.hidden = this.next === undefined;
  }

  private setStatus(text: string | undefined): void {
    this.status.textContent = text ?? '';
  }

  private dateOf(iso: string): string {
    return new Date(iso).toLocaleString(this.options.locale, { dateStyle: 'medium', timeStyle: 'short' });
  }
}

/** An address the customer's browser reported: a link that gives the page neither the opener nor a referrer. */
function link(address: string): HTMLAnchorElement {
  // The server only stores http(s) URLs; anything else is shown as text in a dead link.
  const safe = /^https?:\/\//i.test(address);
  return h('a', { ...(safe ? { href: address } : {}), target: '_blank', rel: 'noopener noreferrer' }, address);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
