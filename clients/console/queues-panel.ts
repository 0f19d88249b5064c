import { h } from '../web/dom';
import type { QueueRow } from '../web/http-api';
import type { Translate } from '../web/i18n';
import { formatDuration } from './conversation-list';

/** Supervisors' view of the queues: depth, oldest wait and agents per skill. */
export class QueuesPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;

  constructor(private readonly t: Translate) {
    this.body = h('tbody');
    this.element = h(
      'section',
      { 'aria-labelledby': 'queues-title' },
      h('h2', { id: 'queues-title' }, t('queues')),
      h(
        'table',
        { class: 'queues' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...(['queueSkill', 'queueDepth', 'queueOldest', 'queueAgents', 'queueAvailable'] as const).map((key) =>
              h('th', { scope: 'col' }, t(key)),
            ),
          ),
        ),
        this.body,
      ),
    );
  }

  render(rows: readonly QueueRow[]): void {
    this.body.replaceChildren(
      ...rows.map((row) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, row.skill),
          h('td', {}, String(row.depth)),
          h('td', {}, row.depth > 0 ? formatDuration(row.oldestWaitSeconds, this.t) : '—'),
          h('td', {}, String(row.agentsOnline)),
          h('td', {}, String(row.agentsAvailable)),
        ),
      ),
    );
  }
}
