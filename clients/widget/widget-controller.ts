import {
  ParleyClient,
  ParleyClientError,
  type ChatMessage,
  type ConnectionState,
  type ConversationSummary,
  type QueuedFrame,
} from '../parley-client/src/index';
import { HttpApi } from '../web/http-api';
import type { Translate } from '../web/i18n';
import { ReadMarks } from '../web/read-marks';
import { StoredToken, isCurrentGuestToken, safeLocalStorage, unverifiedClaims } from '../web/stored-token';
import { Transcript } from '../web/transcript';
import type { WidgetConfig } from './widget-config';
import type { WidgetView } from './widget-view';

/** How long a typing indicator stays up without a new `typing` frame. */
const TYPING_SHOWN_MS = 5_000;
/** At most one `typing` frame per this period while the customer types. */
const TYPING_SEND_EVERY_MS = 3_000;

interface Identity {
  readonly userId: string;
  readonly token: () => Promise<string>;
}

function formatEta(seconds: number, t: Translate): string {
  return seconds < 60 ? t('underAMinute') : t('minutes', { n: Math.round(seconds / 60) });
}

/** Binds one ParleyClient to the widget view: the customer's side of a conversation. */
export class WidgetController {
  private readonly api: HttpApi;
  private readonly storage = safeLocalStorage();
  private readonly guestToken: StoredToken;
  private client: ParleyClient | undefined;
  private identity: Identity | undefined;
  private creatingGuest = false;
  private profile: { name?: string; email?: string } | undefined;
  private transcript = new Transcript(undefined);
  private summary: ConversationSummary | undefined;
  private queue: QueuedFrame | undefined;
  private ratedIds = new Set<string>();
  private everReady = false;
  /** What the customer has seen per conversation, for the launcher's unread badge across reloads. */
  private seen: ReadMarks | undefined;
  private readSent = 0;
  private lastTypingSent = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly config: WidgetConfig,
    private readonly view: WidgetView,
    private readonly t: Translate,
  ) {
    this.api = new HttpApi(config.httpUrl);
    this.guestToken = new StoredToken(this.storage, 'parley-widget:guest', isCurrentGuestToken);
    document.addEventListener('visibilitychange', () => this.markSeen());
  }

  /** Connects at once when the visitor already has an identity; otherwise waits until the panel opens. */
  boot(): void {
    const stored = this.guestToken.read();
    if (this.config.token) this.useIdentifiedToken();
    else if (stored) this.useGuest(stored.user.id);
    if (this.config.open || this.readOpenState()) this.toggle();
  }

  // ---- user actions ---------------------------------------------------------------------------

  toggle(): void {
    const open = !this.view.isOpen;
    this.view.setOpen(open);
    this.writeOpenState(open);
    this.render();
    if (!open) return;
    if (!this.identity) {
      if (this.config.preChat) this.view.showPreChat(true);
      else void this.createGuest({});
    }
    this.markSeen();
  }

  submitPreChat(profile: { name?: string; email?: string }): void {
    this.profile = profile;
    this.writeProfile(profile);
    void this.createGuest(profile);
  }

  send(text: string): void {
    const client = this.client;
    if (!client) return;
    this.view.setError(undefined);
    try {
      const open = this.summary && this.summary.status !== 'closed' ? this.summary.id : undefined;
      if (!open && this.summary?.status === 'closed') this.startOver();
      const pending = open
        ? client.send(open, text)
        : client.start({
            text,
            ...(this.config.skill ? { skill: this.config.skill } : {}),
            ...(this.profile ? { profile: this.profile } : {}),
          });
      this.transcript.addPending(pending.clientMsgId, text, Date.now());
      this.view.clearComposer();
      this.render();
    } catch (error) {
      this.showError(error);
    }
  }

  typing(): void {
    const id = this.summary?.status === 'closed' ? undefined : this.summary?.id;
    if (!id || !this.client || this.client.state !== 'ready') return;
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    this.lastTypingSent = now;
    this.client.typing(id);
  }

  rate(score: number, comment: string): void {
    if (!this.summary || !this.client) return;
    try {
      this.client.rate(this.summary.id, score, comment || undefined);
    } catch (error) {
      this.showError(error);
    }
  }

  startOver(): void {
    this.summary = undefined;
    this.queue = undefined;
    this.transcript = new Transcript(undefined);
    this.readSent = 0;
    this.view.resetMessages();
    this.view.showRating('hidden');
    this.render();
  }

  // ---- identity ---------------------------------------------------------------------------------

  private useIdentifiedToken(): void {
    const source = this.config.token!;
    const token = async () => (typeof source === 'function' ? await source() : source);
    const first = typeof source === 'string' ? source : undefined;
    const sub = first ? unverifiedClaims(first)?.sub : undefined;
    if (first && typeof sub !== 'string') {
      this.view.setError(this.t('errorGeneric', { message: 'the identified-customer token is not a JWT' }));
      return;
    }
    if (typeof sub === 'string') this.connect({ userId: sub, token });
    else
      void token().then((value) => {
        const claimed = unverifiedClaims(value)?.sub;
        if (typeof claimed === 'string') this.connect({ userId: claimed, token });
      });
  }

  private useGuest(userId: string): void {
    this.profile = this.readProfile();
    this.connect({
      userId,
      token: async () => {
        const current = this.guestToken.read();
        if (current?.user.id === userId) return current.token;
        // A guest identity cannot be renewed: once its token is near expiry a new visitor starts.
        setTimeout(() => this.restartAsNewGuest(), 0);
        throw new Error('the guest token expired');
      },
    });
  }

  private restartAsNewGuest(): void {
    this.client?.dispose();
    this.client = undefined;
    this.identity = undefined;
    this.guestToken.clear();
    this.startOver();
    void this.createGuest(this.profile ?? {});
  }

  private async createGuest(profile: { name?: string; email?: string }): Promise<void> {
    if (this.creatingGuest) return;
    this.creatingGuest = true;
    try {
      const issued = await this.api.guest(profile);
      this.guestToken.write(issued);
      this.view.showPreChat(false);
      this.useGuest(issued.user.id);
      this.view.setOpen(this.view.isOpen);
    } catch (error) {
      this.showError(error);
    } finally {
      this.creatingGuest = false;
    }
  }

  private readProfile(): { name?: string; email?: string } | undefined {
    try {
      const raw = this.storage?.getItem('parley-widget:profile');
      return raw ? (JSON.parse(raw) as { name?: string; email?: string }) : undefined;
    } catch {
      return undefined;
    }
  }

  private writeProfile(profile: { name?: string; email?: string }): void {
    try {
      this.storage?.setItem('parley-widget:profile', JSON.stringify(profile));
    } catch {
      // Not kept across reloads; the first message still carries it.
    }
  }

  // ---- the connection ------------------------------------------------------------------------------

  private connect(identity: Identity): void {
    this.identity = identity;
    this.seen = new ReadMarks(this.storage, `parley-widget:${identity.userId}:seen`);
    const client = new ParleyClient({
      url: this.config.wsUrl,
      token: identity.token,
      storageNamespace: `parley-widget:${identity.userId}`,
    });
    this.client = client;
    client.on('state', (change) => this.onState(change.to));
    client.on('session', () => this.onSession());
    client.on('message', (message) => this.onMessage(message));
    client.on('conversation', (summary) => this.follow(summary.id) && this.setSummary(summary));
    client.on('queued', (frame) => {
      if (!this.follow(frame.conversationId)) return;
      this.queue = frame;
      this.render();
    });
    client.on('assigned', (frame) => {
      if (!this.follow(frame.conversationId) || !this.summary) return;
      this.queue = undefined;
      this.setSummary({ ...this.summary, status: 'assigned', agent: frame.agent });
    });
    client.on('transferred', (frame) => {
      if (frame.conversationId !== this.summary?.id) return;
      const { agent: _previous, ...rest } = this.summary;
      this.setSummary({ ...rest, status: 'queued' });
    });
    client.on('typing', (frame) => frame.conversationId === this.summary?.id && this.showTyping(frame.sender.name ?? this.t('agent')));
    client.on('read', (frame) => {
      if (frame.conversationId !== this.summary?.id || frame.reader.role === 'customer') return;
      this.transcript.markReadByOthers(frame.seq);
      this.render();
    });
    client.on('closed', (frame) => {
      if (frame.conversationId !== this.summary?.id) return;
      this.setSummary({ ...this.summary, status: 'closed' });
    });
    client.on('rated', (frame) => {
      this.ratedIds.add(frame.conversationId);
      this.render();
    });
    client.on('failed', (failure) => {
      this.transcript.markFailed(failure.clientMsgId, failure.error.message);
      this.showError(failure.error);
      this.render();
    });
    client.on('error', (frame) => this.view.setError(this.t('errorGeneric', { message: frame.message })));
    this.addPendingSends();
    this.render();
    void client.connect();
  }

  private onState(state: ConnectionState): void {
    if (state === 'ready') this.everReady = true;
    if (state === 'ready' || state === 'idle' || state === 'closed') this.view.setBanner(undefined);
    else if (state === 'offline') this.view.setBanner(this.t('offline'), true);
    else this.view.setBanner(this.t(this.everReady || state === 'waiting' ? 'reconnecting' : 'connecting'));
    if (state === 'ready') this.markSeen();
  }

  private onSession(): void {
    const open = this.client
      ?.conversations()
      .filter((conversation) => conversation.status !== 'closed')
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
    if (open) {
      this.follow(open.id);
      this.setSummary(open);
      void this.loadHistory(open.id, open.lastSeq);
    }
    this.addPendingSends();
    this.render();
  }

  private onMessage(message: ChatMessage): void {
    if (!this.follow(message.conversationId)) return;
    if (this.transcript.add(message) && message.sender.id !== this.client?.user?.id) this.view.setTyping(undefined);
    this.render();
    this.markSeen();
  }

  /**
   * True when events of this conversation belong on screen. A new conversation replaces a
   * closed or not-yet-started one (keeping sends still waiting for their ack).
   */
  private follow(conversationId: string): boolean {
    if (this.transcript.conversationId === conversationId) return true;
    const replaceable = this.transcript.conversationId === undefined || this.summary?.status === 'closed';
    if (!replaceable) return false;
    const next = new Transcript(conversationId);
    if (this.transcript.conversationId === undefined) next.adoptPending(this.transcript);
    else this.view.resetMessages();
    this.transcript = next;
    const known = this.client?.conversations().find((conversation) => conversation.id === conversationId);
    this.summary = known;
    this.queue = undefined;
    this.readSent = 0;
    for (const message of this.client?.messages(conversationId) ?? []) this.transcript.add(message);
    return true;
  }

  private setSummary(summary: ConversationSummary): void {
    this.summary = summary;
    if (summary.status !== 'queued') this.queue = undefined;
    this.render();
  }

  /** Messages from before this page load (the client replays only what is after its cursor). */
  private async loadHistory(conversationId: string, upTo: number): Promise<void> {
    const client = this.client;
    if (!client || !this.identity || upTo === 0) return;
    try {
      const messages = await this.api.history(await this.identity.token(), conversationId, upTo);
      if (this.transcript.conversationId !== conversationId) return;
      for (const message of messages) this.transcript.add(message);
      this.render();
      this.markSeen();
    } catch (error) {
      this.showError(error);
    }
  }

  private addPendingSends(): void {
    for (const entry of this.client?.pending() ?? []) {
      if (entry.conversationId === undefined || entry.conversationId === this.transcript.conversationId) {
        this.transcript.addPending(entry.clientMsgId, entry.text, entry.createdAt);
      }
    }
  }

  // ---- what the customer sees ----------------------------------------------------------------------

  private render(): void {
    const summary = this.summary;
    const agentPresent = summary?.status === 'assigned' && summary.agent !== undefined;
    this.view.renderMessages(this.transcript.entries(this.client?.user?.id, agentPresent));
    if (summary?.status === 'queued' || (summary && this.queue)) {
      this.view.setNotice(
        this.queue
          ? this.t('queued', { position: this.queue.position, eta: formatEta(this.queue.etaSeconds, this.t) })
          : this.t('queuedShort'),
      );
    } else if (agentPresent) {
      this.view.setNotice(this.t('assigned', { name: summary.agent?.name ?? this.t('agent') }));
    } else {
      this.view.setNotice(undefined);
    }
    this.view.showRating(summary?.status === 'closed' ? (this.ratedIds.has(summary.id) ? 'rated' : 'ask') : 'hidden');
    const selfId = this.client?.user?.id;
    const id = this.transcript.conversationId;
    const seenUpTo = id ? (this.seen?.get(id) ?? 0) : 0;
    this.view.setUnread(this.view.isOpen ? 0 : this.transcript.countFromOthersAfter(seenUpTo, selfId));
  }

  /** With the panel open on a visible page, everything shown counts as seen (and read, for the agent). */
  private markSeen(): void {
    if (!this.view.isOpen || document.visibilityState !== 'visible') return;
    const last = this.transcript.lastSeq;
    const id = this.transcript.conversationId;
    if (id) this.seen?.advance(id, last);
    this.view.setUnread(0);
    if (id && last > this.readSent && this.client?.state === 'ready') {
      this.readSent = last;
      this.client.markRead(id, last);
    }
  }

  /** The panel stays open across the host site's page loads within a tab, as Intercom's does. */
  private readOpenState(): boolean {
    try {
      return sessionStorage.getItem('parley-widget:open') === '1';
    } catch {
      return false;
    }
  }

  private writeOpenState(open: boolean): void {
    try {
      sessionStorage.setItem('parley-widget:open', open ? '1' : '0');
    } catch {
      // Opens closed after a reload instead.
    }
  }

  private showTyping(name: string): void {
    this.view.setTyping(this.t('typing', { name }));
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.view.setTyping(undefined), TYPING_SHOWN_MS);
  }

  private showError(error: unknown): void {
    if (error instanceof ParleyClientError && error.code === 'too_large') this.view.setError(this.t('tooLong'));
    else this.view.setError(this.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) }));
  }
}
