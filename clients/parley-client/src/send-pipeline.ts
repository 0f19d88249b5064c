import { fullJitterDelay } from './backoff';
import type { ClientStats, PendingSend, SendFailure, Settings } from './client-types';
import { ParleyClientError } from './errors';
import type { Outbox, OutboxEntry } from './outbox';
import {
  MAX_TEXT_CHARS,
  isDefinitiveError,
  type AckFrame,
  type AttachmentInfo,
  type ClientFrame,
  type CustomerProfile,
  type VisitorContext,
  type ErrorFrame,
  type PongFrame,
} from './protocol';

/** The settings the pipeline uses (resolved once by the client). */
export type SendPipelineConfig = Pick<
  Settings,
  'maxInFlight' | 'ackTimeoutMs' | 'maxInternalErrors' | 'backoff' | 'random' | 'now' | 'newClientMsgId'
>;

/** The connection as the pipeline needs it (the supervisor's side). */
export interface SendConnection {
  /** Caught up on an open socket. */
  isReady(): boolean;
  write(frame: ClientFrame): void;
  /** A heartbeat that counts towards a dead connection; its ts, or undefined if the connection was replaced instead. */
  heartbeat(ts: () => number): number | undefined;
  reconnectForToken(): void;
}

export interface SendPipelineHooks {
  acknowledged(entry: OutboxEntry, ack: AckFrame): void;
  failed(failure: SendFailure): void;
  /**
   * The conversation's send cursor now (the highest seq known stored with none missing before
   * it, ConversationSync.sendCursor): taken when a message is accepted and sent with every
   * attempt (issue 14, docs/delivery.md).
   */
  cursorOf?(conversationId: string): number | undefined;
}

/** A cursor worth sending: a whole number of messages (the server refuses anything else). */
function cursorField(cursor: number | undefined): { cursor?: number } {
  return cursor !== undefined && Number.isInteger(cursor) && cursor >= 0 ? { cursor } : {};
}

export function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export function checkText(text: string): void {
  const length = [...text.trim()].length;
  if (length === 0) throw new ParleyClientError('bad_request', 'text is empty');
  if (length > MAX_TEXT_CHARS) throw new ParleyClientError('too_large', `text is over ${MAX_TEXT_CHARS} characters`);
}

/**
 * Gets every accepted send acknowledged or definitively refused: writes outbox entries while
 * fewer than maxInFlight are unanswered, retries transient errors with backoff, and probes the
 * connection (rather than replacing it) when an answer is late. Resends always reuse the
 * clientMsgId, so the server stores each message once.
 */
export class SendPipeline {
  /** Sends written on the current socket and not yet answered. */
  private readonly inFlight = new Set<string>();
  /** Sends written at least once by this instance (for the resend count). */
  private readonly sentBefore = new Set<string>();
  /** Sends on the current socket unanswered past ackTimeoutMs, resent once a probe is answered. */
  private readonly overdue = new Set<string>();
  private readonly sendTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly sendRetries = new Map<string, number>();
  private readonly internalErrors = new Map<string, number>();
  private readonly waiters = new Map<string, { resolve: (ack: AckFrame) => void; reject: (error: ParleyClientError) => void }>();
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  /** `ts` of the first probe of the current round; a pong echoing this or later proves the connection alive. */
  private probeSince: number | undefined;
  private lastProbeTs = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly config: SendPipelineConfig,
    private readonly counters: ClientStats,
    private readonly connection: SendConnection,
    private readonly hooks: SendPipelineHooks,
  ) {}

  send(conversationId: string | undefined, text: string, options: { attachment?: AttachmentInfo } = {}): PendingSend {
    // With an attachment the text is an optional caption.
    if (options.attachment) {
      if (!conversationId) throw new ParleyClientError('bad_request', 'an attachment needs a conversation');
      if (text.trim() !== '') checkText(text);
    } else checkText(text);
    const cursor = cursorField(conversationId === undefined ? undefined : this.hooks.cursorOf?.(conversationId));
    if (cursor.cursor === undefined) this.counters.sendsWithoutCursor += 1;
    else this.counters.sendsWithCursor += 1;
    return this.accept({
      clientMsgId: this.config.newClientMsgId(),
      action: 'message',
      ...(conversationId ? { conversationId } : {}),
      text,
      ...(options.attachment ? { attachment: options.attachment } : {}),
      createdAt: this.config.now(),
      ...cursor,
    });
  }

  start(request: { text: string; skill?: string; profile?: CustomerProfile; visitor?: VisitorContext }): PendingSend {
    checkText(request.text);
    return this.accept({
      clientMsgId: this.config.newClientMsgId(),
      action: 'start',
      text: request.text,
      ...(request.skill ? { skill: request.skill } : {}),
      ...(request.profile ? { profile: request.profile } : {}),
      ...(request.visitor ? { visitor: request.visitor } : {}),
      createdAt: this.config.now(),
    });
  }

  pending(): OutboxEntry[] {
    return this.outbox.list();
  }

  /** Writes waiting outbox entries, oldest first, while fewer than maxInFlight are unanswered on this socket. */
  pump(): void {
    for (const entry of this.outbox.list()) {
      if (this.inFlight.size >= this.config.maxInFlight) return;
      if (this.inFlight.has(entry.clientMsgId)) continue;
      this.transmit(entry, this.sentBefore.has(entry.clientMsgId));
    }
  }

  /** The socket was abandoned: nothing is in flight any more, so the next pump resends everything. */
  reset(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.probeSince = undefined;
    this.overdue.clear();
    for (const timer of this.sendTimers.values()) clearTimeout(timer);
    this.sendTimers.clear();
    this.inFlight.clear();
  }

  onAck(frame: AckFrame): void {
    this.clearSendTimer(frame.clientMsgId);
    this.inFlight.delete(frame.clientMsgId);
    this.overdue.delete(frame.clientMsgId);
    const entry = this.outbox.take(frame.clientMsgId);
    if (!entry) return; // an ack for a resend already acknowledged
    this.sentBefore.delete(frame.clientMsgId);
    this.pump();
    this.sendRetries.delete(frame.clientMsgId);
    this.internalErrors.delete(frame.clientMsgId);
    this.waiters.get(frame.clientMsgId)?.resolve(frame);
    this.waiters.delete(frame.clientMsgId);
    this.hooks.acknowledged(entry, frame);
  }

  /** Handles an error about a pending send; false if the frame is about something else. */
  onError(frame: ErrorFrame): boolean {
    const entry = frame.clientMsgId ? this.outbox.get(frame.clientMsgId) : undefined;
    if (!entry) return false;
    const id = entry.clientMsgId;
    this.clearSendTimer(id);
    this.overdue.delete(id); // answered: the retry below (or the failure) takes over
    const internal = frame.code === 'internal' ? (this.internalErrors.get(id) ?? 0) + 1 : 0;
    if (frame.code === 'internal') this.internalErrors.set(id, internal);
    if (isDefinitiveError(frame.code) || internal > this.config.maxInternalErrors) {
      this.fail(entry, frame);
      return true;
    }
    if (frame.code === 'unauthorized') {
      this.connection.reconnectForToken();
      return true;
    }
    const retries = (this.sendRetries.get(id) ?? 0) + 1;
    this.sendRetries.set(id, retries);
    const delay = frame.retryAfterMs ?? fullJitterDelay(this.config.backoff, retries, this.config.random);
    this.sendTimers.set(
      id,
      setTimeout(() => {
        this.sendTimers.delete(id);
        if (this.outbox.get(id)) this.transmit(entry, true);
      }, delay),
    );
    return true;
  }

  /** Call after the connection has counted the pong. */
  onPong(frame: PongFrame): void {
    const since = this.probeSince;
    // Only a pong to a heartbeat written after the overdue sends shows they reached the server unanswered.
    if (since === undefined || typeof frame.ts !== 'number' || frame.ts < since) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.probeSince = undefined;
    const overdue = [...this.overdue];
    this.overdue.clear();
    for (const id of overdue) {
      const entry = this.outbox.get(id);
      // Same clientMsgId: the server stores it once and answers with the original ack.
      if (entry && this.inFlight.has(id)) this.transmit(entry, true);
    }
  }

  private accept(entry: OutboxEntry): PendingSend {
    this.outbox.add(entry);
    const promise = new Promise<AckFrame>((resolve, reject) => this.waiters.set(entry.clientMsgId, { resolve, reject }));
    // Listening to the `failed` event instead of the promise must not cause an unhandled rejection.
    promise.catch(() => undefined);
    this.pump();
    return { clientMsgId: entry.clientMsgId, promise };
  }

  private transmit(entry: OutboxEntry, isResend: boolean): void {
    if (!this.connection.isReady()) return;
    if (isResend) this.counters.resends += 1;
    this.inFlight.add(entry.clientMsgId);
    this.sentBefore.add(entry.clientMsgId);
    const frame: ClientFrame =
      entry.action === 'start'
        ? {
            action: 'start',
            clientMsgId: entry.clientMsgId,
            text: entry.text,
            ...(entry.skill ? { skill: entry.skill } : {}),
            ...(entry.profile ? { profile: entry.profile } : {}),
            ...(entry.visitor ? { visitor: entry.visitor } : {}),
          }
        : {
            action: 'message',
            clientMsgId: entry.clientMsgId,
            ...(entry.attachment && entry.text.trim() === '' ? {} : { text: entry.text }),
            // Only the id goes on the wire; the rest is for the sender's own copy (see ParleyClient).
            ...(entry.attachment ? { attachment: { id: entry.attachment.id } } : {}),
            ...(entry.conversationId ? { conversationId: entry.conversationId } : {}),
            ...(entry.conversationId && entry.cursor !== undefined ? { cursor: entry.cursor } : {}),
          };
    this.connection.write(frame);
    this.clearSendTimer(entry.clientMsgId);
    // No answer yet (a busy server, a crashed handler, a connection that stopped answering):
    // probe the connection rather than assume it is dead.
    this.sendTimers.set(
      entry.clientMsgId,
      setTimeout(() => {
        this.sendTimers.delete(entry.clientMsgId);
        this.onSendOverdue(entry.clientMsgId);
      }, this.config.ackTimeoutMs),
    );
  }

  private fail(entry: OutboxEntry, frame: ErrorFrame): void {
    this.outbox.take(entry.clientMsgId);
    this.inFlight.delete(entry.clientMsgId);
    this.overdue.delete(entry.clientMsgId);
    this.sentBefore.delete(entry.clientMsgId);
    this.pump();
    this.sendRetries.delete(entry.clientMsgId);
    this.internalErrors.delete(entry.clientMsgId);
    const error = new ParleyClientError(frame.code, frame.message, frame);
    this.waiters.get(entry.clientMsgId)?.reject(error);
    this.waiters.delete(entry.clientMsgId);
    this.hooks.failed({ clientMsgId: entry.clientMsgId, entry, error });
  }

  /**
   * A send went unanswered for ackTimeoutMs. A slow answer is not a dead connection, and
   * reconnecting would resend the whole window onto a server that is merely busy: ask for a
   * pong instead, and resend only once it proves the connection alive.
   */
  private onSendOverdue(clientMsgId: string): void {
    if (!this.outbox.get(clientMsgId) || !this.inFlight.has(clientMsgId)) return;
    this.overdue.add(clientMsgId);
    if (this.probeSince === undefined) this.sendProbe();
  }

  private sendProbe(): void {
    // Strictly increasing, so a pong can be matched to this round of probes.
    const ts = this.connection.heartbeat(() => Math.max(this.config.now(), this.lastProbeTs + 1));
    if (ts === undefined) return; // too many unanswered: the connection was replaced instead
    this.counters.probes += 1;
    this.lastProbeTs = ts;
    this.probeSince ??= ts;
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.overdue.size > 0) this.sendProbe();
      else this.probeSince = undefined; // answered meanwhile; the regular heartbeat carries on
    }, this.config.ackTimeoutMs);
  }

  private clearSendTimer(clientMsgId: string): void {
    const timer = this.sendTimers.get(clientMsgId);
    if (timer !== undefined) clearTimeout(timer);
    this.sendTimers.delete(clientMsgId);
  }
}
