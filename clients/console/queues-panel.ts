import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { QueueRow } from '../web/http-api';
import type { Translate } from '../web/i18n';
import { formatSpan } from './roster-view';

/**
 * Supervisors' view of the queues: one card per skill with the waiting count, the longest
 * wait and the agents online serving it (wrapping cards, not a table, so it reads at any
 * width), and the waiting chats, each of which opens read-only.
 */
export class QueuesPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;

  constructor(
    private readonly t: Translate,
    private readonly open?: (conversation: ConversationSummary) => void,
  ) {
    this.list = h('ul', { class: 'queue-cards' });
    this.element = h(
      'section',
      { class: 'queues-section', 'aria-labelledby': 'queues-title' },
      h('h2', { id: 'queues-title' }, t('queues')),
      this.list,
    );
  }

  /** `waiting`: conversations known to wait (any skill); those of each card's skill are listed on it. */
  render(rows: readonly QueueRow[], waiting: readonly ConversationSummary[] = []): void {
    const { t } = this;
    this.list.replaceChildren(
      ...rows.map((row) => {
        const chats = this.open ? waiting.filter((conversation) => conversation.skill === row.skill) : [];
        return h(
          'li',
          { class: `queue-card${row.depth > 0 ? ' busy' : ''}`, 'data-skill': row.skill },
          h('h3', {}, row.skill),
          h('p', { class: 'queue-depth' }, row.depth > 0 ? t('queueWaitingCount', { n: row.depth }) : t('queueNobodyWaiting')),
          row.depth > 0 ? h('p', { class: 'queue-oldest' }, t('queueLongestWait', { time: formatSpan(row.oldestWaitSeconds, t) })) : null,
          h('p', { class: 'queue-agents' }, t('queueServing', { online: row.agentsOnline, available: row.agentsAvailable })),
          chats.length > 0
            ? h(
                'ul',
                { class: 'queue-chats', 'aria-label': t('queueOpenWaiting') },
                ...chats.map((conversation) =>
                  h(
                    'li',
                    {},
                    h(
                      'button',
                      { type: 'button', class: 'link', 'data-conversation-id': conversation.id, onclick: () => this.open?.(conversation) },
                      conversation.customer.name ?? conversation.customer.id,
                    ),
                  ),
                ),
              )
            : null,
        );
      }),
    );
  }
}
