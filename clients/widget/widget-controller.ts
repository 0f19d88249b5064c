import type { TranscriptEntry } from '../web/transcript';
import { AttachmentLinks, fileProblem, renderAttachment, uploadAttachment } from '../web/attachments';
import {
  ParleyClientError,
  summaryAfterTransfer,
  type ChatMessage,
  type ConnectionState,
  type ConversationSummary,
  type ErrorFrame,
  type AssignedFrame,
  type ParleyClient,
  type QueuedFrame,
  type VisitorContext,
} from '../parley-client/src/index';
import type { HttpApi } from '../web/http-api';
import type { Locale, Translate } from '../web/i18n';
import { ReadMarks } from '../web/read-marks';
import { StoredToken, isCurrentGuestToken, unverifiedClaims } from '../web/stored-token';
import { Transcript } from '../web/transcript';
import { AvailabilityWatch, type IntervalTimers } from './availability-watch';
import { withThreadEvents, type ThreadEvent } from './thread-events';
import { isEmail, type OfflineFields, type OfflineFormState, trimmed, validateOfflineForm } from './offline-form';
import type { WidgetConfig } from './widget-config';
import { PreviousConversations, PREVIOUS_PAGE_SIZE } from './previous-conversations';
import { awayText, canAnswer, presentationFor } from './widget-mode';
import type { EmailRequestState, WidgetProblem, WidgetScreen } from './widget-screen';

/**
 * How long a typing indicator stays up without a new `typing` frame (or the sender's message,
 * which clears it): longer than the send period plus a slow delivery.
 */
export const TYPING_SHOWN_MS = 8_000;
/** At most one `typing` frame per this period while the customer types (each is a Lambda call and two frames: docs/cost.md). */
export const TYPING_SEND_EVERY_MS = 5_000;
/** Read marks wait this long, so a burst of messages is marked read once (docs/cost.md). */
export const READ_MARK_COALESCE_MS = 1_500;
/** After this long without getting through, "Reconnecting…" gives way to a retry and the offline form. */
export const RECONNECT_GIVE_UP_MS = 20_000;

/** The parts of ParleyClient the widget uses (a fake stands in for it in unit tests). */
export type WidgetClient = Pick<
  ParleyClient,
  | 'state'
  | 'user'
  | 'on'
  | 'connect'
  | 'close'
  | 'dispose'
  | 'send'
  | 'start'
  | 'typing'
  | 'markRead'
  | 'rate'
  | 'handoff'
  | 'convertToTicket'
  | 'requestTranscript'
  | 'messages'
  | 'conversations'
  | 'pending'
>;

export type WidgetApi = Pick<HttpApi, 'guest' | 'history' | 'availability' | 'createTicket' | 'customerConversations'> &
  // Issue 11: attachments (absent: the attach button says files cannot be sent).
  Partial<Pick<HttpApi, 'requestUpload' | 'attachmentUrl'>>;

export interface Timers extends IntervalTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Everything the controller needs from the page, injected so unit tests run it without a browser. */
export interface WidgetEnvironment {
  readonly api: WidgetApi;
  createClient(options: { url: string; token: () => Promise<string>; storageNamespace: string }): WidgetClient;
  /** localStorage (identity, profile, what was seen), if the page may use it. */
  readonly storage: Storage | undefined;
  /** sessionStorage (the panel's open state within the tab). */
  readonly session: Storage | undefined;
  isVisible(): boolean;
  onVisibilityChange(listener: () => void): void;
  readonly timers: Timers;
  now(): Date;
  /** The visitor's IANA zone (Intl's resolved one). */
  readonly timeZone: string | undefined;
  newId(): string;
  /** Where the chat starts (page, referrer, browser), already bounded (visitor-page.ts); staff see it. */
  visitorPage?(): Pick<VisitorContext, 'page' | 'referrer' | 'userAgent'>;
}

interface Identity {
  readonly userId: string;
  readonly token: () => Promise<string>;
}

type Profile = { name?: string; email?: string };

function formatEta(seconds: number, t: Translate): string {
  return seconds < 60 ? t('underAMinute') : t('minutes', { n: Math.round(seconds / 60) });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Binds one client to the widget screen: the customer's side of a conversation, and what to do when nobody can answer. */
export class WidgetController {
  private readonly guestToken: StoredToken;
  private readonly availability: AvailabilityWatch;
  private readonly previous: PreviousConversations;
  private client: WidgetClient | undefined;
  private identity: Identity | undefined;
  private creatingGuest: Promise<string> | undefined;
  /** The pre-chat form was answered (or is not asked for). */
  private preChatDone = false;
  /** Creating a guest for chat failed (why, in words): not retried on every render, only on Retry or when the panel opens again. */
  private guestFailure: string | undefined;
  /** Messages written before there was a client (the guest token was on its way), by their local key. */
  private earlySends: Array<{ key: string; text: string }> = [];
  /** The connection has not got through for RECONNECT_GIVE_UP_MS. */
  private connectionStuck = false;
  private stuckTimer: unknown;
  /** The customer chose the offline form over a connection that keeps failing. */
  private emailInstead = false;
  /** Agents who joined, shown in the thread of the conversation on screen. */
  private threadEvents: ThreadEvent[] = [];
  private profile: Profile | undefined;
  private transcript = new Transcript(undefined);
  private summary: ConversationSummary | undefined;
  private queue: QueuedFrame | undefined;
  /** An `assigned` push that outran the reply naming its conversation (a busy start): applied when that arrives. */
  private earlyAssignment: AssignedFrame | undefined;
  /** Agents online for the skill from whichever arrived last: a `queued` frame or availability. */
  private agentsOnline: number | undefined;
  private ratedIds = new Set<string>();
  private closedReasons = new Map<string, string>();
  private offered = new Set<string>();
  private offer: EmailRequestState | undefined;
  private transcriptRequests = new Map<string, EmailRequestState>();
  private offline: OfflineFormState | undefined;
  /** One id per offline message until it is stored, so a retry or a double submit makes one ticket. */
  private offlineClientMsgId: string | undefined;
  private everReady = false;
  /** What the customer has seen per conversation, for the launcher's unread badge across reloads. */
  private seen: ReadMarks | undefined;
  /** How far the other side has read per conversation, so "Read" survives a reload (no frame replays it). */
  private readByOthers: ReadMarks | undefined;
  private readSent = 0;
  private lastTypingSent = 0;
  private typingTimer: unknown;

  constructor(
    private readonly config: WidgetConfig,
    private readonly view: WidgetScreen,
    private readonly t: Translate,
    private readonly locale: Locale,
    private readonly env: WidgetEnvironment,
  ) {
    this.guestToken = new StoredToken(env.storage, 'parley-widget:guest', isCurrentGuestToken);
    this.availability = new AvailabilityWatch(
      {
        fetch: (skill) => env.api.availability(skill),
        timers: env.timers,
        onChange: () => {
          const known = this.availability.current;
          if (known) this.agentsOnline = known.agentsOnline;
          this.render();
        },
        // Unknown availability is treated as before it existed (chat); the next poll tries again.
        onError: () => undefined,
      },
      config.skill,
    );
    this.previous = new PreviousConversations(
      {
        list: async (before) =>
          // The server's id for this customer (an identified token's `sub` gets a `site:` prefix).
          env.api.customerConversations(await this.identityToken(), this.client?.user?.id ?? '', {
            limit: PREVIOUS_PAGE_SIZE,
            ...(before ? { before } : {}),
          }),
        messages: async (id, upTo) => env.api.history(await this.identityToken(), id, upTo),
      },
      () => this.render(),
    );
    env.onVisibilityChange(() => {
      this.markSeen();
      if (env.isVisible()) void this.availability.refresh();
    });
  }

  /** Asks for availability; connects at once when the visitor already has an identity, otherwise when they first chat. */
  boot(): void {
    void this.availability.refresh();
    const stored = this.guestToken.read();
    if (this.config.token) this.useIdentifiedToken();
    else if (stored) this.useGuest(stored.user.id);
    if (this.config.open || this.readOpenState()) this.toggle();
    else this.render();
  }

  // ---- user actions ---------------------------------------------------------------------------

  toggle(): void {
    const open = !this.view.isOpen;
    this.view.setOpen(open);
    this.writeOpenState(open);
    this.availability.poll(open);
    if (open) {
      this.guestFailure = undefined;
      if (this.offline?.status === 'sent' && !this.connectionStuck) this.emailInstead = false;
      void this.availability.refresh();
    }
    this.render();
    if (open) this.markSeen();
  }

  submitPreChat(profile: Profile): void {
    this.profile = profile;
    this.writeProfile(profile);
    this.preChatDone = true;
    this.render();
  }

  send(text: string): void {
    const client = this.client;
    if (!client) {
      // The guest token is on its way: shown now, sent once connected (see sendEarlyMessages).
      const key = `early:${this.env.newId()}`;
      this.earlySends.push({ key, text });
      this.transcript.addPending(key, text, this.env.now().getTime());
      this.view.clearComposer();
      this.render();
      return;
    }
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
            visitor: {
              locale: this.locale,
              ...(this.env.timeZone ? { timeZone: this.env.timeZone } : {}),
              ...this.env.visitorPage?.(),
            },
          });
      this.transcript.addPending(pending.clientMsgId, text, this.env.now().getTime());
      this.view.clearComposer();
      this.render();
    } catch (error) {
      this.showError(error);
    }
  }

  /**
   * Issue 11: checks the file, uploads it on a presigned POST (progress shown), then sends a
   * message carrying it into the open conversation (docs/attachments.md).
   */
  async attach(file: File): Promise<void> {
    const client = this.client;
    const api = this.env.api;
    const open = this.summary && this.summary.status !== 'closed' ? this.summary.id : undefined;
    if (!client || !open) {
      this.view.setError(this.t('attachNeedsChat'));
      return;
    }
    const problem = fileProblem(file, this.t);
    this.view.setError(problem);
    if (problem) return;
    const { requestUpload, attachmentUrl } = api;
    if (!requestUpload || !attachmentUrl) {
      this.view.setError(this.t('attachFailed', { name: file.name, reason: 'unavailable' }));
      return;
    }
    this.view.setUpload(this.t('attachUploading', { name: file.name, percent: 0 }));
    try {
      const token = await this.identityToken();
      const attachment = await uploadAttachment(
        {
          requestUpload: (request) => requestUpload.call(api, token, request),
          attachmentUrl: (c, a) => attachmentUrl.call(api, token, c, a),
        },
        open,
        file,
        (percent) => this.view.setUpload(this.t('attachUploading', { name: file.name, percent })),
      );
      const pending = client.send(open, '', { attachment });
      this.transcript.addPending(pending.clientMsgId, `📎 ${file.name}`, this.env.now().getTime());
      pending.promise.catch((refused: { message?: string }) => {
        this.transcript.markFailed(pending.clientMsgId, refused.message ?? '');
        this.view.setError(this.t('attachFailed', { name: file.name, reason: refused.message ?? '' }));
        this.render();
      });
      this.render();
    } catch (error) {
      this.view.setError(this.t('attachFailed', { name: file.name, reason: (error as Error).message }));
    } finally {
      this.view.setUpload(undefined);
    }
  }

  /** Issue 11: a message's file, its download URL fetched with the customer's token when shown. */
  renderAttachment(attachment: NonNullable<TranscriptEntry['attachment']>): HTMLElement {
    this.attachmentLinks ??= new AttachmentLinks({
      attachmentUrl: async (conversationId, attachmentId) => {
        const api = this.env.api;
        if (!api.attachmentUrl) throw new Error('attachments unavailable');
        return api.attachmentUrl(await this.identityToken(), conversationId, attachmentId);
      },
    });
    return renderAttachment(attachment.info, attachment.conversationId, this.attachmentLinks, this.t);
  }

  private attachmentLinks: AttachmentLinks | undefined;

  typing(): void {
    const id = this.summary?.status === 'closed' ? undefined : this.summary?.id;
    if (!id || !this.client || this.client.state !== 'ready') return;
    const now = this.env.now().getTime();
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

  /** The Retry of a problem: sign in again, or reconnect now. */
  retry(): void {
    if (this.guestFailure !== undefined) {
      this.guestFailure = undefined;
      this.render();
      return;
    }
    if (this.connectionStuck && this.client) {
      this.connectionStuck = false;
      this.env.timers.clearTimeout(this.stuckTimer);
      this.stuckTimer = undefined;
      this.client.close();
      void this.client.connect();
      this.render();
    }
  }

  /** The connection keeps failing: the offline form instead (a ticket over HTTP). */
  leaveEmail(): void {
    this.emailInstead = true;
    this.render();
  }

  startOver(): void {
    this.summary = undefined;
    this.threadEvents = [];
    this.queue = undefined;
    this.offer = undefined;
    this.transcript = new Transcript(undefined);
    this.readSent = 0;
    this.view.resetMessages();
    this.render();
  }

  /** Previous conversations: open one read-only, go back to the list, or show older ones. */
  openPrevious(conversationId: string): void {
    void this.previous.open(conversationId);
  }

  closePrevious(): void {
    this.previous.close();
  }

  morePrevious(): void {
    void this.previous.loadMore();
  }

  /** Leaves the first-line bot for a person. */
  handoff(): void {
    if (!this.client || this.summary?.status !== 'bot') return;
    try {
      this.client.handoff(this.summary.id);
    } catch (error) {
      this.showError(error);
    }
  }

  /** Turns the waiting chat into a ticket answered by email (the thread stays as it is). */
  acceptOffer(email: string): void {
    const id = this.summary?.id;
    if (!id || !this.client) return;
    const address = email.trim();
    if (!isEmail(address)) {
      this.offer = { email: address, status: 'failed', failure: this.t('emailInvalid') };
      this.render();
      return;
    }
    try {
      this.client.convertToTicket(id, address, this.profile?.name ?? this.claims().name);
      this.offer = { email: address, status: 'sending' };
    } catch (error) {
      this.offer = { email: address, status: 'failed', failure: this.errorText(error) };
    }
    this.render();
  }

  /** After the end: the transcript by email, to the address given (prefilled). */
  requestTranscript(email: string): void {
    const id = this.summary?.id;
    if (!id || !this.client || this.summary?.status !== 'closed') return;
    const address = email.trim();
    if (address !== '' && !isEmail(address)) {
      this.transcriptRequests.set(id, { email: address, status: 'failed', failure: this.t('emailInvalid') });
      this.render();
      return;
    }
    try {
      this.client.requestTranscript(id, address || undefined);
      this.transcriptRequests.set(id, { email: address, status: 'sending' });
    } catch (error) {
      this.transcriptRequests.set(id, { email: address, status: 'failed', failure: this.errorText(error) });
    }
    this.render();
  }

  /** The offline form: validated, then a ticket with one clientMsgId however often it is sent. */
  async submitOfflineForm(input: OfflineFields): Promise<void> {
    if (this.offline?.status === 'sending' || this.offline?.status === 'sent') return;
    const fields = trimmed(input);
    const errors = validateOfflineForm(input);
    if (Object.keys(errors).length > 0) {
      this.offline = { fields: input, status: 'editing', errors };
      this.render();
      return;
    }
    this.offlineClientMsgId ??= this.env.newId();
    this.offline = { fields: input, status: 'sending', errors: {} };
    this.render();
    try {
      const token = await this.customerToken({ name: fields.name, email: fields.email });
      const ticket = await this.env.api.createTicket(token, {
        ...(this.config.skill ? { skill: this.config.skill } : {}),
        name: fields.name,
        email: fields.email,
        message: fields.message,
        clientMsgId: this.offlineClientMsgId,
      });
      this.offlineClientMsgId = undefined;
      this.profile = { name: fields.name, email: fields.email };
      this.writeProfile(this.profile);
      this.offline = { fields: input, status: 'sent', errors: {}, sentTo: ticket.customer?.email ?? fields.email };
    } catch (error) {
      this.offline = { fields: input, status: 'failed', errors: {}, failure: this.errorText(error) };
    }
    this.render();
  }

  // ---- identity ---------------------------------------------------------------------------------

  private async identityToken(): Promise<string> {
    if (!this.identity) throw new Error('not connected');
    return this.identity.token();
  }

  /** The identified customer's own claims (unverified; only to prefill fields). */
  private claims(): { name?: string; email?: string } {
    const token = typeof this.config.token === 'string' ? this.config.token : undefined;
    const claims = token ? unverifiedClaims(token) : undefined;
    return {
      ...(typeof claims?.name === 'string' ? { name: claims.name } : {}),
      ...(typeof claims?.email === 'string' ? { email: claims.email } : {}),
    };
  }

  private prefill(): { name: string; email: string } {
    const claims = this.claims();
    return { name: this.profile?.name ?? claims.name ?? '', email: this.profile?.email ?? claims.email ?? '' };
  }

  /** A token for the HTTP API: the identified one, or a guest's (obtained as for chat, and kept). */
  private async customerToken(profile: Profile): Promise<string> {
    if (this.identity) return this.identity.token();
    const stored = this.guestToken.read();
    if (stored) return stored.token;
    return this.guestTokenFor(profile);
  }

  private async guestTokenFor(profile: Profile): Promise<string> {
    this.creatingGuest ??= this.env.api.guest(profile).then(
      (issued) => {
        this.guestToken.write(issued);
        this.creatingGuest = undefined;
        return issued.token;
      },
      (error: unknown) => {
        this.creatingGuest = undefined;
        throw error;
      },
    );
    return this.creatingGuest;
  }

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
        this.env.timers.setTimeout(() => this.restartAsNewGuest(), 0);
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
  }

  /** A guest for chatting (the one the offline form made, if any): its token is kept and the client connects with it. */
  private async createGuest(profile: Profile): Promise<void> {
    if (!this.guestToken.read()) await this.guestTokenFor(profile);
    const stored = this.guestToken.read();
    if (!stored || this.identity) return;
    this.useGuest(stored.user.id);
    this.view.setOpen(this.view.isOpen);
    this.render();
  }

  /** An open chat panel needs an identity: ask the pre-chat questions first when configured. */
  private prepareChat(): 'chat' | 'prechat' {
    if (this.identity || !this.view.isOpen) return 'chat';
    if (this.config.preChat && !this.preChatDone) return 'prechat';
    if (!this.creatingGuest && this.guestFailure === undefined) {
      // After this render: connecting renders again.
      Promise.resolve()
        .then(() => this.createGuest(this.profile ?? {}))
        .catch((error: unknown) => {
          this.guestFailure = messageOf(error);
          this.render();
        });
    }
    return 'chat';
  }

  private readProfile(): Profile | undefined {
    try {
      const raw = this.env.storage?.getItem('parley-widget:profile');
      return raw ? (JSON.parse(raw) as Profile) : undefined;
    } catch {
      return undefined;
    }
  }

  private writeProfile(profile: Profile): void {
    try {
      this.env.storage?.setItem('parley-widget:profile', JSON.stringify(profile));
    } catch {
      // Not kept across reloads; the first message still carries it.
    }
  }

  // ---- the connection ------------------------------------------------------------------------------

  private connect(identity: Identity): void {
    this.identity = identity;
    this.seen = new ReadMarks(this.env.storage, `parley-widget:${identity.userId}:seen`);
    this.readByOthers = new ReadMarks(this.env.storage, `parley-widget:${identity.userId}:read-by-others`);
    const shownId = this.transcript.conversationId;
    if (shownId) this.transcript.markReadByOthers(this.readByOthers.get(shownId));
    const client = this.env.createClient({
      url: this.config.wsUrl,
      token: identity.token,
      storageNamespace: `parley-widget:${identity.userId}`,
    });
    this.client = client;
    client.on('state', (change) => this.onState(change.to));
    client.on('session', () => this.onSession());
    client.on('message', (message) => this.onMessage(message));
    client.on('conversation', (summary) => {
      if (!this.follow(summary.id)) return;
      const early = this.earlyAssignment?.conversationId === summary.id ? this.earlyAssignment : undefined;
      this.earlyAssignment = undefined;
      // The reply may predate the assignment pushed before it: the assignment is the newer state.
      const assigned = early && (summary.status === 'queued' || summary.status === 'bot');
      this.setSummary(assigned ? { ...summary, status: 'assigned', agent: early.agent } : summary);
    });
    client.on('queued', (frame) => {
      if (!this.follow(frame.conversationId)) return;
      this.queue = frame;
      if (frame.agentsOnline !== undefined) this.agentsOnline = frame.agentsOnline;
      this.render();
    });
    client.on('assigned', (frame) => {
      if (!this.follow(frame.conversationId)) return;
      this.queue = undefined;
      this.threadEvents.push({
        key: `joined:${frame.conversationId}:${this.threadEvents.length}`,
        afterSeq: this.transcript.lastSeq,
        text: this.t('agentJoined', { name: frame.agent.name ?? this.t('agent') }),
        ts: this.env.now().toISOString(),
      });
      this.offered.delete(frame.conversationId);
      if (!this.summary) {
        // Under load the router's push can arrive before the start's `conversation` reply: keep
        // the notice, and apply the assignment when the summary arrives.
        this.earlyAssignment = frame;
        this.render();
        return;
      }
      const { offer: _offer, ...rest } = this.summary;
      this.setSummary({ ...rest, status: 'assigned', agent: frame.agent });
    });
    // To an agent: they have the chat now; to a skill: waiting until `assigned` names the next one.
    client.on('transferred', (frame) => {
      if (frame.conversationId !== this.summary?.id) return;
      const next = summaryAfterTransfer(this.summary, frame);
      if (next) this.setSummary(next);
    });
    client.on('typing', (frame) => frame.conversationId === this.summary?.id && this.showTyping(frame.sender.name ?? this.t('agent')));
    client.on('read', (frame) => {
      if (frame.conversationId !== this.summary?.id || frame.reader.role === 'customer') return;
      this.transcript.markReadByOthers(frame.seq);
      this.readByOthers?.advance(frame.conversationId, frame.seq);
      this.render();
    });
    client.on('closed', (frame) => {
      if (frame.reason) this.closedReasons.set(frame.conversationId, frame.reason);
      if (frame.conversationId !== this.summary?.id) return;
      this.setSummary({ ...this.summary, status: 'closed' });
      void this.previous.reload();
    });
    client.on('rated', (frame) => {
      this.ratedIds.add(frame.conversationId);
      this.render();
    });
    client.on('availability', (frame) => this.availability.live(frame));
    client.on('offer', (frame) => {
      if (!this.follow(frame.conversationId)) return;
      this.offered.add(frame.conversationId);
      this.render();
    });
    client.on('transcript', (frame) => {
      this.transcriptRequests.set(frame.conversationId, { email: frame.email, status: 'sent' });
      this.render();
    });
    client.on('failed', (failure) => {
      this.transcript.markFailed(failure.clientMsgId, failure.error.message);
      this.showError(failure.error);
      this.render();
    });
    client.on('error', (frame) => this.onErrorFrame(frame));
    this.addPendingSends();
    this.render();
    void client.connect();
    this.sendEarlyMessages();
  }

  /** Messages written before the client existed go out now, under the client's own clientMsgIds. */
  private sendEarlyMessages(): void {
    for (const { key, text } of this.earlySends.splice(0)) {
      this.transcript.dropPending(key);
      this.send(text);
    }
  }

  /** Errors of the ticket and transcript requests show next to their forms, with a retry. */
  private onErrorFrame(frame: ErrorFrame): void {
    const failure = this.t('errorGeneric', { message: frame.message });
    if (frame.action === 'ticket' && this.offer) {
      this.offer = { ...this.offer, status: 'failed', failure };
    } else if (frame.action === 'transcript' && frame.conversationId !== undefined && this.transcriptRequests.has(frame.conversationId)) {
      const request = this.transcriptRequests.get(frame.conversationId)!;
      this.transcriptRequests.set(frame.conversationId, { ...request, status: 'failed', failure });
    } else if (frame.action === 'transcript' && this.summary && this.transcriptRequests.has(this.summary.id)) {
      const request = this.transcriptRequests.get(this.summary.id)!;
      this.transcriptRequests.set(this.summary.id, { ...request, status: 'failed', failure });
    } else {
      this.view.setError(failure);
    }
    this.render();
  }

  private onState(state: ConnectionState): void {
    if (state === 'ready') this.everReady = true;
    this.watchForStuck(state);
    if (state === 'ready' || state === 'idle' || state === 'closed' || this.connectionStuck) this.view.setBanner(undefined);
    else if (state === 'offline') this.view.setBanner(this.t('offline'), true);
    else this.view.setBanner(this.t(this.everReady || state === 'waiting' ? 'reconnecting' : 'connecting'));
    if (state === 'ready') this.markSeen();
  }

  /** Trying to get through (connecting, syncing, waiting to retry) for too long becomes a problem with a way forward. */
  private watchForStuck(state: ConnectionState): void {
    const trying = state === 'connecting' || state === 'syncing' || state === 'waiting';
    if (trying) {
      this.stuckTimer ??= this.env.timers.setTimeout(() => {
        this.connectionStuck = true;
        this.view.setBanner(undefined);
        this.render();
      }, RECONNECT_GIVE_UP_MS);
      return;
    }
    this.env.timers.clearTimeout(this.stuckTimer);
    this.stuckTimer = undefined;
    if (this.connectionStuck) {
      this.connectionStuck = false;
      this.render();
    }
  }

  private onSession(): void {
    // The same identity (this browser's guest, or the site's user anywhere) finds its past chats.
    void this.previous.reload();
    const conversations = this.client?.conversations() ?? [];
    // The conversation on screen may have ended while this page had no connection (closed for
    // the customer's absence happens only then): no `closed` frame came, the session says so.
    const shown = conversations.find((conversation) => conversation.id === this.transcript.conversationId);
    if (shown?.status === 'closed' && this.summary?.status !== 'closed') this.setSummary(shown);
    const open = conversations
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
    // The system's closing message of an abandoned chat (docs/protocol.md): a customer who
    // comes back gets it on sync, never the `closed` frame that carries the reason.
    if (message.sender.role === 'system' && message.clientMsgId === `abandoned:${message.conversationId}`) {
      this.closedReasons.set(message.conversationId, 'abandoned');
    }
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
    next.markReadByOthers(this.readByOthers?.get(conversationId) ?? 0);
    this.transcript = next;
    this.threadEvents = [];
    const known = this.client?.conversations().find((conversation) => conversation.id === conversationId);
    this.summary = known;
    this.queue = undefined;
    this.offer = undefined;
    this.readSent = 0;
    for (const message of this.client?.messages(conversationId) ?? []) this.transcript.add(message);
    return true;
  }

  private setSummary(summary: ConversationSummary): void {
    this.summary = summary;
    if (summary.status !== 'queued') this.queue = undefined;
    if (summary.status === 'ticket' || summary.status === 'assigned' || summary.status === 'closed') this.offer = undefined;
    this.render();
  }

  /** Messages from before this page load (the client replays only what is after its cursor). */
  private async loadHistory(conversationId: string, upTo: number): Promise<void> {
    const client = this.client;
    if (!client || !this.identity || upTo === 0) return;
    try {
      const messages = await this.env.api.history(await this.identity.token(), conversationId, upTo);
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

  /** A conversation on screen (started, or a first message on its way) stays reachable whatever the mode. */
  private hasConversation(): boolean {
    return this.transcript.conversationId !== undefined || this.transcript.entries(undefined, false).length > 0;
  }

  private render(): void {
    const summary = this.summary;
    const availability = this.availability.current;
    const shown = presentationFor(availability, this.hasConversation());
    // Until the first answer the launcher waits, so a `hide` skill never flashes one.
    const launcher = this.availability.settled && shown.launcher;
    if (!shown.launcher && this.view.isOpen) {
      this.view.setOpen(false);
      this.writeOpenState(false);
      this.availability.poll(false);
    }
    this.view.setLauncherVisible(launcher);

    const content = shown.content === 'form' || this.emailInstead ? 'form' : this.prepareChat();
    this.view.setContent(content);
    this.view.showProblem(this.problem(content));
    this.view.showHome(
      content === 'chat' && !this.hasConversation()
        ? { teamOnline: availability === undefined ? undefined : canAnswer(availability) }
        : undefined,
    );
    if (content === 'form')
      this.view.showOfflineForm(this.offline ?? { fields: { ...this.prefill(), message: '' }, status: 'editing', errors: {} });

    const agentPresent = summary?.status === 'assigned' && summary.agent !== undefined;
    this.view.renderMessages(withThreadEvents(this.transcript.entries(this.client?.user?.id, agentPresent), this.threadEvents));
    this.view.setNotice(this.noticeText(summary, agentPresent));
    const teamClosed = availability !== undefined && !availability.open;
    const queueSaysSo = summary?.status === 'queued' && !teamClosed;
    const away =
      availability && shown.away && !agentPresent && summary?.status !== 'ticket' && summary?.status !== 'closed' && !queueSaysSo
        ? awayText(availability, this.t, this.locale, this.env.now(), this.env.timeZone) +
          (content === 'chat' && summary?.status !== 'bot' ? ` ${this.t('awayQueueHint')}` : '')
        : undefined;
    this.view.setAway(away);
    this.view.setComposerVisible(content === 'chat' && summary?.status !== 'ticket');
    this.view.showHandoff(summary?.status === 'bot');
    this.view.showOffer(this.offerState(summary));

    const closed = summary?.status === 'closed';
    const closedText = closed && this.closedReasons.get(summary.id) === 'abandoned' ? this.t('closedAbandoned') : this.t('closedNotice');
    this.view.showRating(closed ? (this.ratedIds.has(summary.id) ? 'rated' : 'ask') : 'hidden', closedText);
    this.view.showTranscriptRequest(
      closed ? (this.transcriptRequests.get(summary.id) ?? { email: this.prefill().email, status: 'ask' }) : undefined,
    );

    const previous = this.previous.current;
    this.view.showPrevious(content === 'chat' && this.identity && (previous.items.length > 0 || previous.opened) ? previous : undefined);

    const selfId = this.client?.user?.id;
    const id = this.transcript.conversationId;
    const seenUpTo = id ? (this.seen?.get(id) ?? 0) : 0;
    this.view.setUnread(this.view.isOpen ? 0 : this.transcript.countFromOthersAfter(seenUpTo, selfId));
  }

  private problem(content: 'chat' | 'prechat' | 'form'): WidgetProblem | undefined {
    if (content !== 'chat') return undefined;
    if (this.guestFailure !== undefined) return { text: this.t('signInProblem', { message: this.guestFailure }), leaveEmail: false };
    if (this.connectionStuck) return { text: this.t('connectionProblem'), leaveEmail: true };
    return undefined;
  }

  private noticeText(summary: ConversationSummary | undefined, agentPresent: boolean): string | undefined {
    if (summary?.status === 'ticket') {
      const email = summary.ticket?.email ?? this.offer?.email;
      return email ? this.t('ticketNotice', { email }) : this.t('ticketNoticeNoEmail');
    }
    if (summary?.status === 'queued' || (summary && this.queue)) {
      if (!this.queue) return this.t('queuedShort');
      // An ETA with nobody online would be invented: say that nobody is online instead.
      return this.agentsOnline === 0
        ? this.t('queuedNoAgent', { position: this.queue.position })
        : this.t('queued', { position: this.queue.position, eta: formatEta(this.queue.etaSeconds, this.t) });
    }
    if (agentPresent) return this.t('assigned', { name: summary?.agent?.name ?? this.t('agent') });
    return undefined;
  }

  private offerState(summary: ConversationSummary | undefined): EmailRequestState | undefined {
    if (!summary || (summary.status !== 'queued' && summary.status !== 'bot')) return undefined;
    if (summary.offer !== 'ticket' && !this.offered.has(summary.id)) return undefined;
    return this.offer ?? { email: this.prefill().email, status: 'ask' };
  }

  /** With the panel open on a visible page, everything shown counts as seen (and read, for the agent). */
  private markSeen(): void {
    if (!this.view.isOpen || !this.env.isVisible()) return;
    const last = this.transcript.lastSeq;
    const id = this.transcript.conversationId;
    if (id) this.seen?.advance(id, last);
    this.view.setUnread(0);
    if (!id || this.readMarkTimer !== undefined) return;
    // One mark after a burst, and none for the customer's own messages (nobody waits for those to be read).
    this.readMarkTimer = this.env.timers.setTimeout(() => {
      this.readMarkTimer = undefined;
      this.sendReadMark(id);
    }, READ_MARK_COALESCE_MS);
  }

  private readMarkTimer: unknown;

  private sendReadMark(id: string): void {
    if (!this.view.isOpen || !this.env.isVisible() || this.transcript.conversationId !== id) return;
    const last = this.transcript.lastSeq;
    if (last <= this.readSent || this.client?.state !== 'ready') return;
    if (this.transcript.countFromOthersAfter(this.readSent, this.client.user?.id) === 0) return;
    this.readSent = last;
    this.client.markRead(id, last);
  }

  /** The panel stays open across the host site's page loads within a tab, as Intercom's does. */
  private readOpenState(): boolean {
    try {
      return this.env.session?.getItem('parley-widget:open') === '1';
    } catch {
      return false;
    }
  }

  private writeOpenState(open: boolean): void {
    try {
      this.env.session?.setItem('parley-widget:open', open ? '1' : '0');
    } catch {
      // Opens closed after a reload instead.
    }
  }

  private showTyping(name: string): void {
    this.view.setTyping(this.t('typing', { name }));
    this.env.timers.clearTimeout(this.typingTimer);
    this.typingTimer = this.env.timers.setTimeout(() => this.view.setTyping(undefined), TYPING_SHOWN_MS);
  }

  private errorText(error: unknown): string {
    if (error instanceof ParleyClientError && error.code === 'too_large') return this.t('tooLong');
    return this.t('errorGeneric', { message: messageOf(error) });
  }

  private showError(error: unknown): void {
    this.view.setError(this.errorText(error));
  }
}
