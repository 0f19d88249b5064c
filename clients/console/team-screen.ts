import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { HttpApi } from '../web/http-api';
import type { Translate } from '../web/i18n';
import { MonitorView } from './monitor-view';
import { QueuesPanel } from './queues-panel';
import { RosterView } from './roster-view';

/**
 * How often the Team screen reads `/v1/roster` and `/v1/queues` while it is shown. Polling,
 * not frames: the frames a supervisor's console gets cover only its own conversations (no
 * other agent's `status`, no assignment elsewhere), and two small reads every 10 s per open
 * screen cost less than fanning every status change out to every supervisor. Frames the
 * console does get about conversations refresh it at once (`refreshSoon`).
 */
export const TEAM_POLL_MS = 10_000;
/** Times in status move on between reads. */
const TICK_MS = 15_000;

export interface TeamScreenContext {
  readonly t: Translate;
  readonly locale: string;
  readonly api: HttpApi;
  readonly withToken: <T>(call: (token: string) => Promise<T>) => Promise<T>;
  /** Conversations the console knows to be waiting, listed on their queue's card. */
  readonly waiting: () => readonly ConversationSummary[];
  readonly back: () => void;
}

/** Supervisors' and admins' Team screen: queues, the agent roster and a read-only monitor. */
export class TeamScreen {
  readonly element: HTMLElement;
  private readonly queues: QueuesPanel;
  private readonly roster: RosterView;
  private readonly monitor: MonitorView;
  private readonly error: HTMLElement;
  private poll: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private loading = false;
  private again = false;

  constructor(private readonly context: TeamScreenContext) {
    const { t } = context;
    const open = (conversation: ConversationSummary) => this.monitor.open(conversation);
    this.queues = new QueuesPanel(t, open);
    this.roster = new RosterView(t, open);
    this.monitor = new MonitorView(context);
    this.error = h('p', { class: 'settings-status error', role: 'alert', hidden: true });
    this.element = h(
      'section',
      { class: 'team', 'aria-labelledby': 'team-title' },
      h(
        'div',
        { class: 'team-head' },
        h('h2', { id: 'team-title' }, t('team')),
        h('button', { type: 'button', class: 'secondary', onclick: () => context.back() }, t('backToConversations')),
      ),
      this.error,
      h('div', { class: 'team-body' }, h('div', { class: 'team-lists' }, this.queues.element, this.roster.element), this.monitor.element),
    );
    this.element.hidden = true;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.refreshSoon();
    });
  }

  show(): void {
    this.element.hidden = false;
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.roster.tick(), TICK_MS);
    void this.refresh();
  }

  hide(): void {
    this.element.hidden = true;
    clearTimeout(this.poll);
    clearInterval(this.ticker);
    this.monitor.close();
  }

  /** Something changed that the roster or queues show: read them now (if shown). */
  refreshSoon(): void {
    if (!this.element.hidden) void this.refresh();
  }

  private async refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    clearTimeout(this.poll);
    try {
      const [roster, queues] = await this.context.withToken((token) =>
        Promise.all([this.context.api.roster(token), this.context.api.queues(token)]),
      );
      if (this.element.hidden) return;
      this.roster.render(roster.agents);
      this.queues.render(queues, this.context.waiting());
      this.error.hidden = true;
    } catch (error) {
      this.error.textContent = this.context.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) });
      this.error.hidden = false;
    } finally {
      this.loading = false;
      if (!this.element.hidden) {
        const rerun = this.again;
        this.again = false;
        this.poll = setTimeout(() => void this.refresh(), rerun ? 0 : TEAM_POLL_MS);
      }
    }
  }
}
