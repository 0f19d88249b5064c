import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { Translate } from '../web/i18n';

export interface ConversationRow {
  readonly summary: ConversationSummary;
  readonly unread: number;
  /** Seconds the customer has been waiting for an answer, if they are. */
  readonly waitingSeconds?: number;
  readonly preview: string;
  /** Transferred away from this agent, to whom or which skill (no longer theirs). */
  readonly transferredTo?: string;
}

export function formatDuration(seconds: number, t: Translate): string {
  return seconds < 60 ? t('underAMinute') : t('minutes', { n: Math.floor(seconds / 60) });
}

const STATUS_KEY = {
  bot: 'statusBot',
  queued: 'statusQueued',
  assigned: 'statusAssigned',
  closed: 'statusClosed',
  ticket: 'statusTicket',
} as const;

/** The list of conversations: the customer, unread count, waiting time and last message. */
export class ConversationList {
  readonly element: HTMLUListElement;

  constructor(
    private readonly t: Translate,
    private readonly onSelect: (conversationId: string) => void,
  ) {
    this.element = h('ul', { class: 'conversations', 'aria-label': t('myConversations') });
  }

  render(rows: readonly ConversationRow[], selectedId: string | undefined): void {
    const { t } = this;
    if (rows.length === 0) {
      this.element.replaceChildren(h('li', { class: 'empty' }, t('noConversations')));
      return;
    }
    const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.conversationId;
    this.element.replaceChildren(
      ...rows.map((row) => {
        const { summary } = row;
        const name = summary.customer.name ?? summary.customer.id;
        const button = h(
          'button',
          {
            type: 'button',
            'data-conversation-id': summary.id,
            'aria-current': String(summary.id === selectedId),
            onclick: () => this.onSelect(summary.id),
          },
          h('span', { class: 'name' }, name),
          row.transferredTo !== undefined
            ? h('span', { class: 'transferred' }, t('transferredTo', { target: row.transferredTo }))
            : row.unread > 0
              ? h('span', { class: 'unread', 'aria-label': t('unread', { n: row.unread }) }, String(row.unread))
              : h('span', {}, t(STATUS_KEY[summary.status])),
          row.waitingSeconds !== undefined
            ? h('span', { class: 'waiting' }, t('waiting', { time: formatDuration(row.waitingSeconds, t) }))
            : null,
          h('span', { class: 'preview' }, row.preview),
        );
        return h('li', { class: summary.status }, button);
      }),
    );
    if (focusedId) this.element.querySelector<HTMLElement>(`[data-conversation-id="${CSS.escape(focusedId)}"]`)?.focus();
  }
}
