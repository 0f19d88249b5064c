import type { ChatMessage } from '../parley-client/src/index';
import { append, h } from '../web/dom';
import { ApiError, type HttpApi, type TicketRow, type TicketState } from '../web/http-api';
import type { MessageKey, Translate } from '../web/i18n';
import type { StaffSession } from './staff-session';

const STATES: readonly TicketState[] = ['open', 'pending', 'solved'];
const STATE_LABEL: Record<TicketState, MessageKey> = {
  open: 'ticketStateOpen',
  pending: 'ticketStatePending',
  solved: 'ticketStateSolved',
};

export interface TicketsViewOptions {
  readonly api: HttpApi;
  readonly session: StaffSession;
  readonly t: Translate;
  readonly locale: string;
  /** The signed-in staff member (assign to me). */
  readonly userId: string;
}

/**
 * The console's Tickets view: per skill, tabs open / pending / solved, newest activity first;
 * the selected ticket's thread, its state and assignee, and a reply box (replies are emailed).
 * Reads over HTTP (GET /v1/tickets, GET /v1/tickets/{id}); refreshed on show and after each change.
 */
export class TicketsView {
  readonly element: HTMLElement;
  private readonly skillSelect: HTMLSelectElement;
  private readonly tabs: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly more: HTMLButtonElement;
  private readonly detail: HTMLElement;
  private readonly error: HTMLElement;
  private skill: string | undefined;
  private state: TicketState = 'open';
  private rows: TicketRow[] = [];
  private next: string | undefined;
  private selectedId: string | undefined;
  /** clientMsgId of a reply not emailed yet: sending the same text again retries the email, storing nothing twice. */
  private pendingReply: { ticketId: string; text: string; clientMsgId: string } | undefined;

  constructor(private readonly options: TicketsViewOptions) {
    const { t } = options;
    this.skillSelect = h('select', { name: 'ticket-skill', 'aria-label': t('ticketSkill') });
    this.skillSelect.addEventListener('change', () => {
      this.skill = this.skillSelect.value;
      void this.refresh();
    });
    this.tabs = h('div', { class: 'ticket-tabs', role: 'tablist' });
    this.list = h('ul', { class: 'ticket-list', 'aria-label': t('tickets') });
    this.more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => void this.loadMore() }, t('moreTickets'));
    this.detail = h('section', { class: 'ticket-detail', 'aria-live': 'polite' }, h('p', { class: 'empty' }, t('pickTicket')));
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.element = h(
      'div',
      { class: 'tickets-view', hidden: true },
      h(
        'nav',
        { class: 'sidebar', 'aria-label': t('tickets') },
        h('h2', {}, t('tickets')),
        h('label', {}, t('ticketSkill'), this.skillSelect),
        this.tabs,
        this.list,
        this.more,
      ),
      h('div', { class: 'ticket-main' }, this.error, this.detail),
    );
    this.renderTabs();
  }

  show(): void {
    this.element.hidden = false;
    void this.refresh();
  }

  hide(): void {
    this.element.hidden = true;
  }

  private t(key: MessageKey, values?: Record<string, string | number>): string {
    return this.options.t(key, values);
  }

  private renderTabs(): void {
    this.tabs.replaceChildren(
      ...STATES.map((state) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            class: state === this.state ? 'tab active' : 'tab',
            'aria-selected': state === this.state ? 'true' : 'false',
            onclick: () => {
              this.state = state;
              this.renderTabs();
              void this.refresh();
            },
          },
          this.t(STATE_LABEL[state]),
        ),
      ),
    );
  }

  private showError(error: unknown): void {
    const message = error instanceof Error ? error.message : error === undefined ? '' : String(error);
    this.error.hidden = message.length === 0;
    this.error.textContent = message ? this.t('errorGeneric', { message }) : '';
  }

  private async refresh(): Promise<void> {
    try {
      const page = await this.options.session.withToken((token) =>
        this.options.api.tickets(token, { state: this.state, ...(this.skill ? { skill: this.skill } : {}) }),
      );
      this.skill = page.skill;
      this.skillSelect.replaceChildren(...page.skills.map((skill) => h('option', { value: skill }, skill)));
      this.skillSelect.value = page.skill;
      this.rows = page.tickets;
      this.next = page.next;
      this.renderList();
      this.showError(undefined);
      if (this.selectedId) await this.open(this.selectedId);
    } catch (error) {
      this.showError(error);
    }
  }

  private async loadMore(): Promise<void> {
    if (!this.next) return;
    try {
      const cursor = this.next;
      const page = await this.options.session.withToken((token) =>
        this.options.api.tickets(token, { state: this.state, cursor, ...(this.skill ? { skill: this.skill } : {}) }),
      );
      this.rows = [...this.rows, ...page.tickets];
      this.next = page.next;
      this.renderList();
    } catch (error) {
      this.showError(error);
    }
  }

  private renderList(): void {
    this.more.hidden = this.next === undefined;
    if (this.rows.length === 0) {
      this.list.replaceChildren(h('li', { class: 'empty' }, this.t('noTickets')));
      return;
    }
    this.list.replaceChildren(
      ...this.rows.map((row) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: row.id === this.selectedId ? 'ticket-row selected' : 'ticket-row',
              'data-ticket-id': row.id,
              onclick: () => void this.open(row.id),
            },
            h('strong', {}, row.subject),
            h('span', {}, row.customer.name),
            h('time', { datetime: row.updatedAt }, new Date(row.updatedAt).toLocaleString(this.options.locale)),
            row.unsentReplySeq !== undefined ? h('span', { class: 'badge warn' }, this.t('ticketNotEmailed')) : null,
          ),
        ),
      ),
    );
  }

  private async open(ticketId: string): Promise<void> {
    this.selectedId = ticketId;
    this.renderList();
    try {
      const { ticket, messages } = await this.options.session.withToken((token) => this.options.api.ticket(token, ticketId));
      this.renderDetail(ticket, messages);
    } catch (error) {
      this.showError(error);
    }
  }

  private async change(ticket: TicketRow, change: { state?: TicketState; assigneeId?: string | null }): Promise<void> {
    try {
      await this.options.session.withToken((token) => this.options.api.updateTicket(token, ticket.id, change));
      this.showError(undefined);
      await this.refresh();
    } catch (error) {
      this.showError(error);
    }
  }

  private async reply(ticket: TicketRow, text: string, box: HTMLTextAreaElement): Promise<void> {
    const retry = this.pendingReply?.ticketId === ticket.id && this.pendingReply.text === text ? this.pendingReply : undefined;
    const clientMsgId = retry?.clientMsgId ?? `ticket-reply:${crypto.randomUUID()}`;
    let failure: unknown;
    try {
      await this.options.session.withToken((token) => this.options.api.replyToTicket(token, ticket.id, text, clientMsgId));
      this.pendingReply = undefined;
      box.value = '';
    } catch (error) {
      // Stored but not emailed: keep the text and id so sending again retries the email only.
      if (error instanceof ApiError && error.code === 'unavailable') this.pendingReply = { ticketId: ticket.id, text, clientMsgId };
      failure = error;
    }
    // The refresh shows the stored reply; the failure is said after it, or the refresh would clear it.
    await this.refresh();
    if (failure !== undefined) this.showError(failure);
  }

  /** Why replies are not reaching the customer, if they are not: a marked address first (retrying will not help). */
  private mailBanner(ticket: TicketRow): HTMLElement | null {
    const { email, emailStatus } = ticket.customer;
    const banner = (text: string) => h('p', { class: 'banner offline', role: 'status' }, text);
    if (emailStatus === 'bounced') return banner(this.t('ticketAddressBounced', { email }));
    if (emailStatus === 'complained') return banner(this.t('ticketAddressComplained', { email }));
    if (ticket.unsentReplySeq !== undefined) return banner(this.t('ticketNotEmailedHint', { seq: ticket.unsentReplySeq }));
    return null;
  }

  private renderDetail(ticket: TicketRow, messages: readonly ChatMessage[]): void {
    const stateSelect = h(
      'select',
      { name: 'ticket-state', 'aria-label': this.t('ticketState') },
      ...STATES.map((state) => h('option', { value: state }, this.t(STATE_LABEL[state]))),
    );
    stateSelect.value = ticket.state;
    stateSelect.addEventListener('change', () => void this.change(ticket, { state: stateSelect.value as TicketState }));
    const assigneeInput = h('input', { name: 'ticket-assignee', 'aria-label': this.t('assignTo'), placeholder: this.t('assignTo') });
    const box = h('textarea', { name: 'ticket-reply', rows: 4, 'aria-label': this.t('ticketReply') });
    if (this.pendingReply?.ticketId === ticket.id) box.value = this.pendingReply.text;
    const form = h(
      'form',
      { class: 'ticket-reply' },
      h('label', {}, this.t('ticketReply'), box),
      h('button', { type: 'submit' }, this.t('ticketReplySend')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (box.value.trim().length > 0) void this.reply(ticket, box.value, box);
    });
    this.detail.replaceChildren();
    append(
      this.detail,
      h('h2', {}, ticket.subject),
      h('p', {}, this.t('ticketFrom', { name: ticket.customer.name, email: ticket.customer.email })),
      this.mailBanner(ticket),
      h(
        'div',
        { class: 'ticket-controls' },
        h('label', {}, this.t('ticketState'), stateSelect),
        h('span', {}, `${this.t('ticketAssignee')}: ${ticket.assignee?.name ?? this.t('ticketUnassigned')}`),
        h('button', { type: 'button', onclick: () => void this.change(ticket, { assigneeId: this.options.userId }) }, this.t('assignToMe')),
        assigneeInput,
        h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            onclick: () => {
              const id = assigneeInput.value.trim();
              if (id) void this.change(ticket, { assigneeId: id });
            },
          },
          this.t('assign'),
        ),
        ticket.assignee
          ? h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => void this.change(ticket, { assigneeId: null }) },
              this.t('unassign'),
            )
          : null,
      ),
      h(
        'ol',
        { class: 'ticket-thread' },
        ...messages.map((message) =>
          h(
            'li',
            { class: `from-${message.sender.role}`, 'data-seq': message.seq },
            h('strong', {}, message.sender.name ?? message.sender.id),
            ' ',
            h('time', { datetime: message.ts }, new Date(message.ts).toLocaleString(this.options.locale)),
            h('p', {}, message.text),
          ),
        ),
      ),
      form,
    );
  }
}
