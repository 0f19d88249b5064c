import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { AgentStatusName, RosterEntry } from '../web/http-api';
import type { MessageKey, Translate } from '../web/i18n';

const STATUS_WORD: Record<AgentStatusName, MessageKey> = { online: 'statusOnline', away: 'statusAway', offline: 'statusOffline' };

/** A span of time as people say it: "less than a minute", "12 min", "2 h 5 min". */
export function formatSpan(seconds: number, t: Translate): string {
  if (seconds < 60) return t('underAMinute');
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? t('minutes', { n: minutes }) : t('hoursAndMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** "Online for 12 min", or just "Online" when the server does not know since when. */
export function statusLine(entry: Pick<RosterEntry, 'status' | 'statusSince'>, nowMs: number, t: Translate): string {
  const status = t(STATUS_WORD[entry.status]);
  const since = entry.statusSince ? Date.parse(entry.statusSince) : Number.NaN;
  if (Number.isNaN(since)) return status;
  return t('rosterStatusFor', { status, time: formatSpan(Math.max(0, Math.round((nowMs - since) / 1000)), t) });
}

/**
 * Supervisors' roster: one card per agent with status and time in it, load against
 * capacity, skills and the chats it holds (each opens read-only in the monitor).
 */
export class RosterView {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private entries: readonly RosterEntry[] = [];

  constructor(
    private readonly t: Translate,
    private readonly open: (conversation: ConversationSummary) => void,
  ) {
    this.list = h('ul', { class: 'roster' });
    this.element = h(
      'section',
      { class: 'roster-section', 'aria-labelledby': 'roster-title' },
      h('h2', { id: 'roster-title' }, t('rosterTitle')),
      this.list,
    );
  }

  render(entries: readonly RosterEntry[], nowMs = Date.now()): void {
    this.entries = entries;
    const { t } = this;
    if (entries.length === 0) {
      this.list.replaceChildren(h('li', { class: 'empty' }, t('rosterEmpty')));
      return;
    }
    this.list.replaceChildren(...entries.map((entry) => this.card(entry, nowMs)));
  }

  /** Times in status move on without a new read. */
  tick(nowMs = Date.now()): void {
    this.render(this.entries, nowMs);
  }

  private card(entry: RosterEntry, nowMs: number): HTMLLIElement {
    const { t } = this;
    const chats =
      entry.conversations.length === 0
        ? h('p', { class: 'roster-chats none' }, t('rosterNoChats'))
        : h(
            'ul',
            { class: 'roster-chats' },
            ...entry.conversations.map((conversation) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'link', 'data-conversation-id': conversation.id, onclick: () => this.open(conversation) },
                  `${conversation.customer.name ?? conversation.customer.id} · ${conversation.skill}`,
                ),
              ),
            ),
          );
    return h(
      'li',
      { class: `roster-agent${entry.disabled ? ' disabled' : ''}`, 'data-agent-id': entry.id, 'data-status': entry.status },
      h(
        'div',
        { class: 'roster-head' },
        h('span', { class: 'roster-name' }, entry.name),
        entry.role === 'supervisor' ? h('span', { class: 'badge' }, t('rosterSupervisor')) : null,
        entry.disabled ? h('span', { class: 'badge warn' }, t('rosterDisabled')) : null,
      ),
      h('p', { class: 'roster-status', 'data-status': entry.status }, statusLine(entry, nowMs, t)),
      h('p', { class: 'roster-load' }, t('rosterLoad', { load: entry.load, capacity: entry.capacity })),
      h(
        'p',
        { class: 'roster-skills' },
        entry.skills.length > 0 ? t('rosterSkills', { skills: entry.skills.join(', ') }) : t('rosterNoSkills'),
      ),
      chats,
    );
  }
}
