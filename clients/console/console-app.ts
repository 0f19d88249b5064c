import {
  ParleyClient,
  ParleyClientError,
  type AgentStatus,
  type ChatMessage,
  type ConnectionState,
  type ConversationSummary,
  summaryAfterTransfer,
  transferredAwayFrom,
  type TransferredFrame,
} from '../parley-client/src/index';
import { h } from '../web/dom';
import { HttpApi, type IssuedToken, type SearchHit } from '../web/http-api';
import { ReadMarks } from '../web/read-marks';
import type { Translate } from '../web/i18n';
import { type AttachmentApi, AttachmentLinks, fileProblem, renderAttachment, uploadAttachment } from '../web/attachments';
import { safeLocalStorage } from '../web/stored-token';
import { Transcript } from '../web/transcript';
import { Alerts } from './alerts';
import { ChatPane } from './chat-pane';
import { ConversationList } from './conversation-list';
import { conversationRows, titleWithUnread } from './conversation-rows';
import { CustomerPanel } from './customer-panel';
import { AUTO_REPLIES_SECTION } from './auto-replies-settings';
import { CANNED_RESPONSES_SECTION } from './canned-responses-settings';
import { HOURS_SECTION } from './hours-settings';
import { SettingsScreen, type SettingsSection } from './settings-screen';
import { WEBHOOKS_SECTION } from './webhooks-settings';
import { SKILLS_SECTION } from './skills-settings';
import type { StaffSession } from './staff-session';
import { TEAM_ADMIN_SECTION } from './team-admin';
import { TeamScreen } from './team-screen';
import { SearchBox } from './search-box';
import { TicketsView } from './tickets-view';
import { ReportsView } from './reports-view';

/** As the widget's (clients/widget/widget-controller.ts): an indicator outlives the sender's send period. */
const TYPING_SHOWN_MS = 8_000;
const TYPING_SEND_EVERY_MS = 5_000;
/** Read marks wait this long, so a burst of messages is marked read once (docs/cost.md). */
const READ_MARK_COALESCE_MS = 1_500;
/** Supervisors' queue and conversation lists are refreshed this often. */
const SUPERVISOR_REFRESH_MS = 15_000;
/** Waiting times on the list move on this often. */
const CLOCK_TICK_MS = 20_000;
const CLOSED_SHOWN = 20;

/** The Settings screen's sections, in order (admins only). */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  HOURS_SECTION,
  AUTO_REPLIES_SECTION,
  CANNED_RESPONSES_SECTION,
  TEAM_ADMIN_SECTION,
  SKILLS_SECTION,
  WEBHOOKS_SECTION,
];

export interface ConsoleOptions {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly t: Translate;
  readonly locale: string;
  /** Access token in memory, refresh token stored; renews silently. */
  readonly session: StaffSession;
  /** Who signed in (its token is the session's concern). */
  readonly signedIn: Pick<IssuedToken, 'user'>;
  readonly signOut: () => void;
}

/** The signed-in console: one ParleyClient, the conversation list, the chat pane and (for supervisors) the queues. */
export class ConsoleApp {
  private readonly t: Translate;
  private readonly api: HttpApi;
  /** Issue 11: download URLs of the files shown, fetched when first shown. */
  private readonly attachmentLinks = new AttachmentLinks({
    attachmentUrl: (conversationId, attachmentId) =>
      this.options.session.withToken((token) => this.api.attachmentUrl(token, conversationId, attachmentId)),
  });
  private readonly client: ParleyClient;
  private readonly storage = safeLocalStorage();
  private readonly userId: string;
  private readonly supervisor: boolean;
  /** Admins have no routing status (the server refuses `status` from them). */
  private readonly hasStatus: boolean;
  private readonly readMarks: ReadMarks;
  private readonly alerts: Alerts;
  private readonly summaries = new Map<string, ConversationSummary>();
  /** Conversations transferred away from this agent -> where to (shown read-only while selected, then dropped). */
  private readonly transferredAway = new Map<string, string>();
  private readonly transcripts = new Map<string, Transcript>();
  private readonly historyLoaded = new Set<string>();
  private readonly list: ConversationList;
  private readonly pane: ChatPane;
  /** Supervisors' and admins' queues, roster and monitor (clients/console/team-screen.ts). */
  private readonly team: TeamScreen | undefined;
  private readonly customerPanel: CustomerPanel;
  private readonly statusSelect: HTMLSelectElement;
  private readonly banner: HTMLElement;
  /** Says the server set this agent offline (its heartbeats stopped); the agent's own choice stands. */
  private readonly statusNote: HTMLElement;
  private readonly tickets: TicketsView;
  private selectedId: string | undefined;
  private everReady = false;
  private lastTypingSent = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    root: HTMLElement,
    private readonly options: ConsoleOptions,
  ) {
    const { t } = options;
    this.t = t;
    this.api = new HttpApi(options.httpUrl);
    this.userId = options.signedIn.user.id;
    this.supervisor = options.signedIn.user.role === 'supervisor' || options.signedIn.user.role === 'admin';
    this.hasStatus = options.signedIn.user.role !== 'admin';
    this.readMarks = new ReadMarks(this.storage, `parley-console:${this.userId}:read`);
    this.alerts = new Alerts(t);
    const socketLifetimeMs = options.session.socketLifetimeMs(115 * 60_000);
    this.client = new ParleyClient({
      url: options.wsUrl,
      storageNamespace: `parley-console:${this.userId}`,
      // Staff keep internal notes: sync asks for them and `note` frames arrive.
      notes: true,
      // Every connect and reconnect gets an access token that outlives the socket's planned
      // lifetime (renewed first if not, and after an `unauthorized`): the server closes a
      // connection when the token it opened with expires, so the console reconnects before.
      token: () => options.session.accessToken(socketLifetimeMs),
      plannedReconnectMs: socketLifetimeMs,
    });

    this.list = new ConversationList(t, (id) => this.select(id));
    this.pane = new ChatPane(
      t,
      options.locale,
      {
        send: (text) => this.send(text),
        attach: (file) => void this.attach(file),
        renderAttachment: (attachment) => renderAttachment(attachment.info, attachment.conversationId, this.attachmentLinks, t),
        note: (text) => this.writeNote(text),
        typing: () => this.sendTyping(),
        close: () => this.control(() => this.selectedId && this.client.closeConversation(this.selectedId)),
        transfer: (target, note) => this.control(() => this.selectedId && this.client.transfer(this.selectedId, target, note || undefined)),
        transferTargets: () =>
          options.session.withToken(async (token) => {
            const [agents, skills] = await Promise.all([this.api.onlineAgents(token), this.api.skills(token)]);
            return { agents, skills };
          }),
        selfId: this.userId,
      },
      options.signedIn.user.name,
    );
    this.customerPanel = new CustomerPanel({
      api: this.api,
      withToken: (call) => options.session.withToken(call),
      t,
      locale: options.locale,
      userId: this.userId,
    });
    this.pane.details.append(this.customerPanel.element);
    this.statusSelect = h(
      'select',
      { name: 'status', 'aria-label': t('status') },
      ...(['online', 'away', 'offline'] as const).map((status) =>
        h('option', { value: status }, t(status === 'online' ? 'statusOnline' : status === 'away' ? 'statusAway' : 'statusOffline')),
      ),
    );
    this.statusSelect.value = this.desiredStatus();
    this.statusSelect.addEventListener('change', () => this.setStatus(this.statusSelect.value as AgentStatus));
    this.banner = h('div', { class: 'banner', role: 'status', hidden: true });
    this.statusNote = h('div', { class: 'status-note', role: 'status', hidden: true });

    const permission = this.alerts.permissionButton();
    const search = new SearchBox({
      api: this.api,
      withToken: (call) => options.session.withToken(call),
      t,
      locale: options.locale,
      open: (hit) => this.openSearchHit(hit),
    });
    const workspace = h(
      'div',
      { class: 'workspace' },
      h(
        'nav',
        { class: 'sidebar', 'aria-label': t(this.supervisor ? 'allConversations' : 'myConversations') },
        search.element,
        h('h2', {}, t(this.supervisor ? 'allConversations' : 'myConversations')),
        this.list.element,
      ),
      this.pane.element,
      this.pane.details,
    );
    // Admins' Settings screen, built on first open; it replaces the workspace while shown.
    let settings: SettingsScreen | undefined;
    const showSettings = (shown: boolean) => {
      settings ??= shown
        ? new SettingsScreen(
            { t, locale: options.locale, api: this.api, withToken: (call) => options.session.withToken(call) },
            SETTINGS_SECTIONS,
            () => {
              showSettings(false);
              // The admin may have changed them.
              void this.loadCannedResponses();
            },
          )
        : undefined;
      workspace.hidden = shown || !this.tickets.element.hidden;
      if (shown) this.tickets.element.hidden = true;
      if (shown) this.team?.hide();
      if (shown) reports?.hide();
      if (settings) settings.element.hidden = !shown;
      if (settings && !settings.element.isConnected) workspace.after(settings.element);
      // Keyboard users keep their place: the screen's heading on open, the Settings button on the way back.
      if (shown) settings?.element.querySelector<HTMLElement>('h2')?.focus();
      else settingsButton?.focus();
    };
    const settingsButton =
      options.signedIn.user.role === 'admin'
        ? h('button', { type: 'button', class: 'secondary', onclick: () => showSettings(true) }, t('settings'))
        : null;
    this.tickets = new TicketsView({ api: this.api, session: options.session, t, locale: options.locale, userId: this.userId });
    const viewToggle = h('button', { type: 'button', class: 'secondary', 'data-view-toggle': 'tickets' }, t('tickets'));
    viewToggle.addEventListener('click', () => {
      const showTickets = this.tickets.element.hidden;
      if (showTickets) this.tickets.show();
      else this.tickets.hide();
      workspace.hidden = showTickets;
      if (settings) settings.element.hidden = true;
      this.team?.hide();
      reports?.hide();
      viewToggle.textContent = t(showTickets ? 'conversations' : 'tickets');
    });
    this.team = this.supervisor
      ? new TeamScreen({
          t,
          locale: options.locale,
          api: this.api,
          withToken: (call) => options.session.withToken(call),
          waiting: () => [...this.summaries.values()].filter((summary) => summary.status === 'queued'),
          back: () => {
            this.team?.hide();
            workspace.hidden = false;
          },
        })
      : undefined;
    const teamButton = this.team ? h('button', { type: 'button', class: 'secondary', 'data-view-toggle': 'team' }, t('team')) : null;
    teamButton?.addEventListener('click', () => {
      this.tickets.hide();
      this.tickets.element.hidden = true;
      viewToggle.textContent = t('tickets');
      if (settings) settings.element.hidden = true;
      workspace.hidden = true;
      reports?.hide();
      this.team?.show();
    });
    // Supervisors' and admins' Reports view (docs/reports.md).
    const reports = this.supervisor
      ? new ReportsView({
          t,
          api: this.api,
          withToken: (call) => options.session.withToken(call),
          back: () => {
            reports?.hide();
            workspace.hidden = false;
          },
        })
      : undefined;
    const reportsButton = reports ? h('button', { type: 'button', class: 'secondary', 'data-view-toggle': 'reports' }, t('reports')) : null;
    reportsButton?.addEventListener('click', () => {
      this.tickets.hide();
      this.tickets.element.hidden = true;
      viewToggle.textContent = t('tickets');
      if (settings) settings.element.hidden = true;
      this.team?.hide();
      workspace.hidden = true;
      reports?.show();
      reports?.element.querySelector<HTMLElement>('h2')?.focus();
    });
    root.replaceChildren(
      h(
        'div',
        { class: 'console' },
        h(
          'header',
          { class: 'topbar' },
          h('h1', {}, `${t('consoleTitle')} — ${options.signedIn.user.name}`),
          permission,
          viewToggle,
          teamButton,
          reportsButton,
          this.hasStatus ? h('label', {}, t('status'), this.statusSelect) : null,
          settingsButton,
          h('button', { type: 'button', class: 'secondary', onclick: () => this.signOut() }, t('signOut')),
        ),
        this.banner,
        this.statusNote,
        workspace,
        this.tickets.element,
        this.team?.element,
        reports?.element,
      ),
    );
    this.wireClient();
    document.addEventListener('visibilitychange', () => this.markSelectedRead());
    setInterval(() => this.renderList(), CLOCK_TICK_MS);
    if (this.supervisor) setInterval(() => void this.refreshSupervisorLists(), SUPERVISOR_REFRESH_MS);
    this.render();
    void this.client.connect();
    void this.loadCannedResponses();
  }

  /** The canned responses this agent may use; without them the composer still works, so a failure is only shown. */
  private async loadCannedResponses(): Promise<void> {
    try {
      const responses = await this.options.session.withToken((token) => this.api.cannedResponses(token));
      this.pane.setCannedResponses(responses);
    } catch (error) {
      this.pane.showError(this.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) }));
    }
  }

  // ---- client events -------------------------------------------------------------------------

  private wireClient(): void {
    const client = this.client;
    client.on('state', (change) => this.onState(change.to));
    // Expired or revoked: renew before the reconnect (a refused renewal ends the session).
    client.on('error', (frame) => {
      if (frame.code === 'unauthorized') this.options.session.invalidate();
    });
    client.on('session', (frame) => {
      for (const summary of frame.conversations) this.remember(summary);
      if (this.supervisor) void this.refreshSupervisorLists();
      this.render();
    });
    client.on('message', (message) => this.onMessage(message));
    client.on('note', (note) => {
      this.transcript(note.conversationId).addNote(note);
      this.render();
    });
    client.on('conversation', (summary) => {
      const isNew = !this.summaries.has(summary.id) || this.summaries.get(summary.id)?.agent?.id !== this.userId;
      // Arriving (again) by a transfer: read its history and notes afresh, the transfer's note with them.
      if (isNew && summary.agent?.id === this.userId) this.historyLoaded.delete(summary.id);
      this.remember(summary);
      if (isNew && summary.agent?.id === this.userId) {
        this.alerts.notify(
          this.t('newConversationNotice', { name: summary.customer.name ?? summary.customer.id }),
          '',
          `conversation-${summary.id}`,
        );
      }
      this.render();
    });
    client.on('assigned', (frame) => {
      if (frame.agent.id === this.userId) this.transferredAway.delete(frame.conversationId);
      this.patch(frame.conversationId, { status: 'assigned', agent: frame.agent });
    });
    // The roster and queues show assignments and closes: a frame about one refreshes them now.
    for (const type of ['conversation', 'assigned', 'queued', 'transferred', 'closed'] as const)
      client.on(type, () => this.team?.refreshSoon());
    client.on('queued', (frame) => this.patch(frame.conversationId, { status: 'queued' }));
    client.on('transferred', (frame) => this.onTransferred(frame));
    client.on('closed', (frame) => this.patch(frame.conversationId, { status: 'closed' }));
    client.on('typing', (frame) => {
      if (frame.conversationId !== this.selectedId) return;
      this.pane.setTyping(this.t('typing', { name: frame.sender.name ?? frame.sender.id }));
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => this.pane.setTyping(undefined), TYPING_SHOWN_MS);
    });
    client.on('read', (frame) => {
      if (frame.reader.id === this.userId) {
        // Read on another of this agent's tabs.
        this.readMarks.advance(frame.conversationId, frame.seq);
      } else {
        this.transcript(frame.conversationId).markReadByOthers(frame.seq);
      }
      this.render();
    });
    client.on('status', (frame) => {
      this.statusSelect.value = frame.status;
      // `lapsed` and `restored` are the server's doing: what the agent chose stays, and its
      // next heartbeat (or the reconnect, which says it again) brings it back.
      if (frame.reason === undefined) this.writeDesiredStatus(frame.status);
      this.statusNote.hidden = frame.reason !== 'lapsed';
      this.statusNote.textContent = frame.reason === 'lapsed' ? this.t('statusLapsed') : '';
    });
    client.on('failed', (failure) => {
      const id = failure.entry.conversationId;
      if (id) this.transcript(id).markFailed(failure.clientMsgId, failure.error.message);
      this.pane.showError(this.t('errorGeneric', { message: failure.error.message }));
      this.render();
    });
    client.on('error', (frame) => this.pane.showError(this.t('errorGeneric', { message: frame.message })));
    for (const entry of client.pending()) {
      if (entry.conversationId) this.transcript(entry.conversationId).addPending(entry.clientMsgId, entry.text, entry.createdAt);
    }
  }

  /** The conversation moved: to its new agent or queue; away from this agent, it is no longer theirs to answer or close. */
  private onTransferred(frame: TransferredFrame): void {
    const summary = this.summaries.get(frame.conversationId);
    const next = summary ? summaryAfterTransfer(summary, frame) : undefined;
    if (next) this.summaries.set(frame.conversationId, next);
    if (!this.supervisor && transferredAwayFrom(frame, this.userId)) {
      const target = 'agent' in frame.to ? (frame.to.agent.name ?? frame.to.agent.id) : this.pane.skillLabel(frame.to.skill);
      this.transferredAway.set(frame.conversationId, target);
    }
    this.render();
  }

  private onState(state: ConnectionState): void {
    if (state === 'ready') {
      this.everReady = true;
      // Presence lapses while disconnected: say again what this agent chose.
      if (this.hasStatus) this.setStatus(this.desiredStatus());
      this.markSelectedRead();
    }
    const offline = state === 'offline';
    const text =
      state === 'ready' || state === 'idle' || state === 'closed'
        ? undefined
        : offline
          ? this.t('offline')
          : this.t(this.everReady ? 'reconnecting' : 'connecting');
    this.banner.hidden = text === undefined;
    this.banner.textContent = text ?? '';
    this.banner.classList.toggle('offline', offline);
  }

  private onMessage(message: ChatMessage): void {
    const isNew = this.transcript(message.conversationId).add(message);
    if (isNew && message.sender.id !== this.userId && message.sender.role !== 'system') {
      if (message.conversationId === this.selectedId) this.pane.setTyping(undefined);
      this.alerts.notify(
        this.t('newMessageNotice', { name: message.sender.name ?? message.sender.id }),
        message.text,
        `message-${message.conversationId}`,
      );
    }
    const summary = this.summaries.get(message.conversationId);
    if (summary && summary.lastSeq < message.seq)
      this.summaries.set(summary.id, { ...summary, lastSeq: message.seq, updatedAt: message.ts });
    this.render();
    if (message.conversationId === this.selectedId) this.markSelectedRead();
  }

  private remember(summary: ConversationSummary): void {
    if (summary.agent?.id === this.userId) this.transferredAway.delete(summary.id);
    const known = this.summaries.get(summary.id);
    this.summaries.set(summary.id, known && known.lastSeq > summary.lastSeq ? { ...summary, lastSeq: known.lastSeq } : summary);
    void this.loadHistory(summary.id);
  }

  private patch(conversationId: string, change: Partial<ConversationSummary>): void {
    const summary = this.summaries.get(conversationId);
    if (!summary) return;
    const next: ConversationSummary = { ...summary, ...change };
    if ('agent' in change && change.agent === undefined) delete (next as { agent?: unknown }).agent;
    this.summaries.set(conversationId, next);
    this.render();
  }

  /** Messages from before this page load: the client replays only what is after its cursor. */
  private async loadHistory(conversationId: string): Promise<void> {
    const summary = this.summaries.get(conversationId);
    if (!summary || this.historyLoaded.has(conversationId)) return;
    this.historyLoaded.add(conversationId);
    try {
      // Internal notes too: a transferred conversation arrives with the note its last agent left.
      const [messages, notes] = await this.options.session.withToken((token) =>
        Promise.all([
          summary.lastSeq > 0 ? this.api.history(token, conversationId, summary.lastSeq) : [],
          this.api.notes(token, conversationId),
        ]),
      );
      for (const message of messages) this.transcript(conversationId).add(message);
      for (const note of notes) this.transcript(conversationId).addNote(note);
      this.render();
      if (conversationId === this.selectedId) this.markSelectedRead();
    } catch (error) {
      this.historyLoaded.delete(conversationId);
      this.pane.showError(this.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) }));
    }
  }

  private async refreshSupervisorLists(): Promise<void> {
    if (!this.supervisor) return;
    try {
      const conversations = await this.options.session.withToken((token) => this.api.conversations(token));
      for (const summary of conversations) {
        const known = this.summaries.get(summary.id);
        if (!known || known.updatedAt <= summary.updatedAt) this.summaries.set(summary.id, summary);
      }
      this.render();
    } catch (error) {
      this.pane.showError(this.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) }));
    }
  }

  /** A search result opens its conversation in the chat pane (read afresh: it may have moved on since). */
  private openSearchHit(hit: SearchHit): void {
    if (!this.summaries.has(hit.conversationId)) {
      this.remember({
        id: hit.conversationId,
        status: hit.status,
        customer: hit.customer,
        ...(hit.agent ? { agent: hit.agent } : {}),
        skill: hit.skill,
        lastSeq: hit.lastSeq,
        createdAt: hit.createdAt,
        updatedAt: hit.updatedAt,
      });
    }
    this.select(hit.conversationId);
  }

  // ---- agent actions ---------------------------------------------------------------------------

  private select(conversationId: string): void {
    const switched = conversationId !== this.selectedId;
    // Leaving a conversation transferred away lets it go from the list.
    if (switched && this.selectedId && this.transferredAway.has(this.selectedId)) {
      this.summaries.delete(this.selectedId);
      this.transferredAway.delete(this.selectedId);
    }
    this.selectedId = conversationId;
    // Supervisors get no live frames for conversations they are not in: read them afresh.
    if (this.supervisor && this.summaries.get(conversationId)?.agent?.id !== this.userId) this.historyLoaded.delete(conversationId);
    void this.loadHistory(conversationId);
    this.pane.show(this.summaries.get(conversationId), switched, this.transferredAway.get(conversationId));
    this.customerPanel.show(this.summaries.get(conversationId));
    this.render();
    this.markSelectedRead();
  }

  private send(text: string): void {
    const id = this.selectedId;
    if (!id) return;
    this.pane.showError(undefined);
    try {
      const pending = this.client.send(id, text);
      this.transcript(id).addPending(pending.clientMsgId, text, Date.now());
      this.pane.clearComposer();
      this.render();
    } catch (error) {
      this.pane.showError(
        error instanceof ParleyClientError && error.code === 'too_large' ? this.t('tooLong') : String((error as Error).message),
      );
    }
  }

  /**
   * Issue 11: checks the file, uploads it on a presigned POST (progress shown), then sends a
   * message carrying it to the selected conversation (docs/attachments.md).
   */
  private async attach(file: File): Promise<void> {
    const id = this.selectedId;
    if (!id) return;
    const problem = fileProblem(file, this.t);
    this.pane.showError(problem);
    if (problem) return;
    this.pane.showUpload(this.t('attachUploading', { name: file.name, percent: 0 }));
    try {
      const attachment = await this.options.session.withToken((token) =>
        uploadAttachment(this.attachmentApi(token), id, file, (percent) =>
          this.pane.showUpload(this.t('attachUploading', { name: file.name, percent })),
        ),
      );
      const pending = this.client.send(id, '', { attachment });
      this.transcript(id).addPending(pending.clientMsgId, `📎 ${file.name}`, Date.now());
      pending.promise.catch((refused: { message?: string }) => {
        this.transcript(id).markFailed(pending.clientMsgId, refused.message ?? '');
        this.pane.showError(this.t('attachFailed', { name: file.name, reason: refused.message ?? '' }));
        this.render();
      });
      this.render();
    } catch (error) {
      this.pane.showError(this.t('attachFailed', { name: file.name, reason: (error as Error).message }));
    } finally {
      this.pane.showUpload(undefined);
    }
  }

  private attachmentApi(token: string): AttachmentApi {
    return {
      requestUpload: (request) => this.api.requestUpload(token, request),
      attachmentUrl: (conversationId, attachmentId) => this.api.attachmentUrl(token, conversationId, attachmentId),
    };
  }

  /** An internal note: shown at once as sending, then as stored when acknowledged (or failed). */
  private writeNote(text: string): void {
    const id = this.selectedId;
    if (!id) return;
    this.pane.showError(undefined);
    try {
      const pending = this.client.writeNote(id, text);
      this.transcript(id).addPendingNote(pending.clientMsgId, text, Date.now());
      pending.acknowledged.catch((refused: { message?: string }) => {
        this.transcript(id).markNoteFailed(pending.clientMsgId, refused.message ?? '');
        this.render();
      });
      this.pane.clearComposer();
      this.render();
    } catch (error) {
      this.pane.showError(this.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) }));
    }
  }

  private sendTyping(): void {
    const now = Date.now();
    if (!this.selectedId || this.client.state !== 'ready' || now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    this.lastTypingSent = now;
    this.client.typing(this.selectedId);
  }

  private setStatus(status: AgentStatus): void {
    this.writeDesiredStatus(status);
    this.statusSelect.value = status;
    if (this.client.state === 'ready') this.control(() => this.client.setStatus(status));
  }

  /** Actions that need a live connection; while reconnecting they are refused with a message. */
  private control(action: () => unknown): void {
    this.pane.showError(undefined);
    try {
      action();
    } catch (error) {
      this.pane.showError(this.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) }));
    }
  }

  private signOut(): void {
    if (this.hasStatus && this.client.state === 'ready') this.client.setStatus('offline');
    this.client.dispose();
    this.options.signOut();
  }

  private markSelectedRead(): void {
    const id = this.selectedId;
    if (!id || document.visibilityState !== 'visible') return;
    const last = this.transcript(id).lastSeq;
    if (!this.readSent.has(id)) this.readSent.set(id, this.readMarks.get(id));
    this.readMarks.advance(id, last);
    // Also when the local mark had moved already: a mark cut short (a switch, a reconnect) is sent now.
    this.scheduleReadMark();
    this.renderList();
  }

  /** The server's mark per conversation as this page last sent it (seeded from the stored marks). */
  private readonly readSent = new Map<string, number>();
  private readMarkTimer: ReturnType<typeof setTimeout> | undefined;

  /** One `read` after a burst, and none for the agent's own messages (nobody waits for those to be read). */
  private scheduleReadMark(): void {
    if (this.readMarkTimer !== undefined) return;
    this.readMarkTimer = setTimeout(() => {
      this.readMarkTimer = undefined;
      const id = this.selectedId;
      if (!id || document.visibilityState !== 'visible' || this.client.state !== 'ready') return;
      const sent = this.readSent.get(id) ?? 0;
      const transcript = this.transcript(id);
      const last = Math.min(transcript.lastSeq, this.readMarks.get(id));
      if (last <= sent || transcript.countFromOthersAfter(sent, this.userId) === 0) return;
      this.readSent.set(id, last);
      this.client.markRead(id, last);
    }, READ_MARK_COALESCE_MS);
  }

  /** What this user last chose; agents start online, supervisors away (they opt in to routing). */
  private desiredStatus(): AgentStatus {
    const stored = this.storage?.getItem(`parley-console:${this.userId}:status`);
    if (stored === 'online' || stored === 'away' || stored === 'offline') return stored;
    return this.supervisor ? 'away' : 'online';
  }

  private writeDesiredStatus(status: AgentStatus): void {
    try {
      this.storage?.setItem(`parley-console:${this.userId}:status`, status);
    } catch {
      // The choice lasts as long as the page.
    }
  }

  // ---- rendering ---------------------------------------------------------------------------------

  private transcript(conversationId: string): Transcript {
    let transcript = this.transcripts.get(conversationId);
    if (!transcript) {
      transcript = new Transcript(conversationId);
      for (const message of this.client.messages(conversationId)) transcript.add(message);
      this.transcripts.set(conversationId, transcript);
    }
    return transcript;
  }

  private render(): void {
    this.renderList();
    const id = this.selectedId;
    this.pane.show(id ? this.summaries.get(id) : undefined, false, id ? this.transferredAway.get(id) : undefined);
    if (id) this.pane.render(this.transcript(id).entries(this.userId, true));
  }

  private renderList(): void {
    const { rows, unreadOpen } = conversationRows(
      this.summaries.values(),
      {
        userId: this.userId,
        seesAll: this.supervisor,
        selectedId: this.selectedId,
        pageVisible: document.visibilityState === 'visible',
        now: Date.now(),
        transferredAway: this.transferredAway,
        closedShown: CLOSED_SHOWN,
      },
      (id) => {
        const transcript = this.transcript(id);
        const last = transcript.lastFromPeople();
        return {
          ...(last ? { last: { role: last.sender.role, text: last.text, ts: last.ts } } : {}),
          unreadFromOthers: transcript.countFromOthersAfter(this.readMarks.get(id), this.userId),
        };
      },
    );
    this.list.render(rows, this.selectedId);
    document.title = titleWithUnread(this.t('consoleTitle'), unreadOpen);
  }
}
