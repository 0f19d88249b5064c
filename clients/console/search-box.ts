import { append, h } from '../web/dom';
import type { HttpApi, SearchHit } from '../web/http-api';
import type { MessageKey, Translate } from '../web/i18n';

const STATUS_LABEL: Record<SearchHit['status'], MessageKey> = {
  bot: 'statusBot',
  queued: 'statusQueued',
  assigned: 'statusAssigned',
  closed: 'statusClosed',
  ticket: 'statusTicket',
};

export interface SearchBoxOptions {
  readonly api: HttpApi;
  readonly withToken: <T>(call: (token: string) => Promise<T>) => Promise<T>;
  readonly t: Translate;
  readonly locale: string;
  /** Opens a result's conversation in the chat pane. */
  readonly open: (hit: SearchHit) => void;
}

/**
 * The console's search box (docs/search.md): words in messages, a customer's email, id or
 * conversation id (`Messages`), or a customer's email, id or the start of their name
 * (`Customers`). Results, newest first, show the customer, the text around the match with
 * the matched words marked, the skill, status and date; each opens its conversation.
 */
export class SearchBox {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly scope: HTMLSelectElement;
  private readonly results: HTMLUListElement;
  private readonly more: HTMLButtonElement;
  private readonly status: HTMLElement;
  private query: { q?: string; customer?: string } = {};
  private cursor: string | undefined;
  /** Bumped by every new search: answers to an older one are dropped. */
  private generation = 0;

  constructor(private readonly options: SearchBoxOptions) {
    const { t } = options;
    this.input = h('input', {
      type: 'search',
      name: 'search',
      'aria-label': t('searchLabel'),
      placeholder: t('searchPlaceholder'),
      maxlength: '200',
    });
    this.scope = h(
      'select',
      { name: 'search-in', 'aria-label': t('searchIn') },
      h('option', { value: 'messages' }, t('searchInMessages')),
      h('option', { value: 'customers' }, t('searchInCustomers')),
    );
    this.results = h('ul', { class: 'search-results', 'aria-label': t('searchLabel'), hidden: true });
    this.more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => void this.load(false) }, t('searchMore'));
    this.status = h('p', { class: 'search-status', role: 'status', hidden: true });
    const form = h(
      'form',
      { class: 'search-form', role: 'search' },
      this.input,
      this.scope,
      h('button', { type: 'submit', class: 'secondary' }, t('searchButton')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.load(true);
    });
    this.input.addEventListener('input', () => {
      if (this.input.value.trim() === '') this.clear();
    });
    this.element = h('section', { class: 'search' }, form, this.status, this.results, this.more);
  }

  private clear(): void {
    this.generation += 1;
    this.results.replaceChildren();
    this.results.hidden = true;
    this.more.hidden = true;
    this.status.hidden = true;
  }

  private async load(fresh: boolean): Promise<void> {
    const { t } = this.options;
    if (fresh) {
      const text = this.input.value.trim();
      if (text === '') return this.clear();
      this.query = this.scope.value === 'customers' ? { customer: text } : { q: text };
      this.cursor = undefined;
      this.clear();
    }
    const generation = this.generation;
    try {
      const cursor = this.cursor;
      const page = await this.options.withToken((token) =>
        this.options.api.search(token, { ...this.query, ...(cursor ? { cursor } : {}) }),
      );
      if (generation !== this.generation) return;
      append(this.results, ...page.results.map((hit) => this.row(hit)));
      this.cursor = page.cursor;
      this.results.hidden = this.results.childElementCount === 0;
      this.more.hidden = page.cursor === undefined;
      this.status.hidden = this.results.childElementCount > 0;
      this.status.textContent = t('searchNone');
    } catch (error) {
      if (generation !== this.generation) return;
      this.status.hidden = false;
      this.status.textContent = t('searchFailed', { message: error instanceof Error ? error.message : String(error) });
    }
  }

  private row(hit: SearchHit): HTMLLIElement {
    const { t, locale } = this.options;
    const date = new Date(hit.at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const status = t(STATUS_LABEL[hit.status]);
    return h(
      'li',
      {},
      h(
        'button',
        {
          type: 'button',
          class: 'search-hit',
          'data-conversation-id': hit.conversationId,
          'aria-label': t('searchResult', { name: hit.customer.name, skill: hit.skill, status, date }),
          onclick: () => this.options.open(hit),
        },
        h('span', { class: 'search-hit-customer' }, hit.customer.name),
        h('span', { class: 'search-hit-snippet' }, ...marked(hit.snippet)),
        h('span', { class: 'search-hit-meta' }, `${hit.skill} · ${status} · ${date}`),
      ),
    );
  }
}

/** The snippet as text nodes with each matched word in a <mark> (never HTML from the server). */
function marked(snippet: SearchHit['snippet']): Array<string | HTMLElement> {
  const parts: Array<string | HTMLElement> = [];
  let at = 0;
  for (const [start, length] of [...snippet.highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    if (start > at) parts.push(snippet.text.slice(at, start));
    parts.push(h('mark', {}, snippet.text.slice(start, start + length)));
    at = start + length;
  }
  if (at < snippet.text.length) parts.push(snippet.text.slice(at));
  return parts;
}
