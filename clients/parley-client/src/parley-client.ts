import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffPolicy } from './backoff';
import { attachPlatformHooks, browserPlatform, isOnline, type PlatformEvents } from './browser-hooks';
import { ConnectionStateMachine, type ConnectionState, type StateChange, type TransitionCode } from './connection-state';
import { ConversationLog } from './conversation-log';
import { CursorStore } from './cursor-store';
import { TypedEmitter, type Listener } from './emitter';
import { ParleyClientError } from './errors';
import { Outbox, type OutboxEntry } from './outbox';
import {
  MAX_TEXT_CHARS,
  isDefinitiveError,
  parseServerFrame,
  type AckFrame,
  type AgentStatus,
  type AssignedFrame,
  type ChatMessage,
  type ClientFrame,
  type ClosedFrame,
  type ConversationSummary,
  type CustomerProfile,
  type ErrorFrame,
  type PongFrame,
  type QueuedFrame,
  type RatedFrame,
  type ReadFrame,
  type Sender,
  type ServerFrame,
  type SessionFrame,
  type StatusFrame,
  type SyncedFrame,
  type TransferredFrame,
  type TypingFrame,
} from './protocol';
import { SOCKET_OPEN, globalWebSocket, urlWithToken, type WebSocketConstructor, type WebSocketLike } from './socket';
import { defaultStore, type KeyValueStore } from './storage';

export interface ParleyLogger {
  debug?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}

export interface ParleyClientOptions {
  /** The WebSocket URL without the token, e.g. `wss://chat.example.com/prod`. */
  readonly url: string;
  /** Called before every connect and reconnect: return a fresh token (refresh it here if it is near expiry). */
  readonly token: () => Promise<string> | string;
  /** The WebSocket constructor; the global one by default (pass `ws`'s in Node 20). */
  readonly WebSocket?: WebSocketConstructor;
  /** Where the outbox and cursors are kept: localStorage in browsers by default, else memory. */
  readonly storage?: KeyValueStore;
  /** Key prefix in `storage`; use one per signed-in user when several share a browser. */
  readonly storageNamespace?: string;
  readonly logger?: ParleyLogger;
  /** Reconnect backoff (full jitter); default 0.5 s doubling to 20 s. */
  readonly backoff?: Partial<BackoffPolicy>;
  /** Heartbeat period until the server's `session` says otherwise; default 30. */
  readonly heartbeatSeconds?: number;
  /** Heartbeats left unanswered before the connection is declared dead; default 3. */
  readonly missedPongsBeforeDead?: number;
  /** Reconnect on purpose this long after opening, before API Gateway's 2-hour cut; default 115 minutes. */
  readonly plannedReconnectMs?: number;
  /**
   * When a send has had no answer for this long, probe the connection with a heartbeat (and
   * again at this period while unanswered); a pong resends it on the same connection, and
   * `missedPongsBeforeDead` unanswered probes or heartbeats replace the connection. Default 15 s.
   */
  readonly ackTimeoutMs?: number;
  /** Ask again when a sync has not finished in this long; default 15 s. */
  readonly syncTimeoutMs?: number;
  /** How long a gap may stay open (live frames may just be late) before syncing; default 250 ms. */
  readonly gapSyncDelayMs?: number;
  /** Sends awaiting an ack on the wire at once (the rest wait in the outbox); default 16. */
  readonly maxInFlight?: number;
  /** `internal` errors for one send before it is reported failed; default 5. */
  readonly maxInternalErrors?: number;
  /** Online/offline and visibility events; the browser's by default. */
  readonly platform?: PlatformEvents;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly newClientMsgId?: () => string;
}

/** A send reported failed: the server refused it for good (the `error` frame says why). */
export interface SendFailure {
  readonly clientMsgId: string;
  readonly entry: OutboxEntry;
  readonly error: ParleyClientError;
}

export interface PendingSend {
  readonly clientMsgId: string;
  /** Resolves with the ack; rejects with ParleyClientError only on a definitive refusal. */
  readonly promise: Promise<AckFrame>;
}

export interface ParleyEvents {
  state: StateChange;
  session: SessionFrame;
  synced: SyncedFrame;
  /** Each message of each conversation once, in seq order (own messages included, on ack). */
  message: ChatMessage;
  ack: AckFrame;
  failed: SendFailure;
  conversation: ConversationSummary;
  queued: QueuedFrame;
  assigned: AssignedFrame;
  transferred: TransferredFrame;
  typing: TypingFrame;
  read: ReadFrame;
  closed: ClosedFrame;
  status: StatusFrame;
  rated: RatedFrame;
  pong: PongFrame;
  /** Error frames not about a particular send (those end in `failed` or a retry). */
  error: ErrorFrame;
}

export interface ClientStats {
  connects: number;
  disconnects: number;
  resends: number;
  syncs: number;
  gapSyncs: number;
  duplicatesDropped: number;
  deadConnections: number;
  /** Heartbeats sent early because a send went unanswered for `ackTimeoutMs`. */
  probes: number;
}

const DEFAULTS = {
  heartbeatSeconds: 30,
  missedPongsBeforeDead: 3,
  plannedReconnectMs: 115 * 60_000,
  ackTimeoutMs: 15_000,
  syncTimeoutMs: 15_000,
  gapSyncDelayMs: 250,
  maxInternalErrors: 5,
  maxInFlight: 16,
};

function randomId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function checkText(text: string): void {
  const length = [...text.trim()].length;
  if (length === 0) throw new ParleyClientError('bad_request', 'text is empty');
  if (length > MAX_TEXT_CHARS) throw new ParleyClientError('too_large', `text is over ${MAX_TEXT_CHARS} characters`);
}

/**
 * Parley's client: one logical connection that survives any number of socket drops. See
 * clients/parley-client/README.md for the guarantees and how to use them.
 */
export class ParleyClient {
  private readonly options: ParleyClientOptions;
  private readonly machine: ConnectionStateMachine;
  private readonly events: TypedEmitter<ParleyEvents>;
  private readonly outbox: Outbox;
  private readonly cursors: CursorStore;
  private readonly logs = new Map<string, ConversationLog>();
  private readonly summaries = new Map<string, ConversationSummary>();
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly platform: PlatformEvents;
  private readonly detachPlatform: () => void;

  private socket: WebSocketLike | undefined;
  /** Bumped whenever a socket is abandoned, so its late events are ignored. */
  private epoch = 0;
  private attempt = 0;
  private self: Sender | undefined;
  private heartbeatMs: number;
  private unansweredHeartbeats = 0;
  private syncInFlight = false;
  private syncAgain = false;
  private syncFailures = 0;
  /** Conversations the last `session` listed: the server knows where to start those without a cursor. */
  private readonly sessionIds = new Set<string>();
  /** Conversations named (listed or with a cursor) by the sync in flight. */
  private requestedIds = new Set<string>();

  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private plannedTimer: ReturnType<typeof setTimeout> | undefined;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  /** `ts` of the first probe of the current round; a pong echoing this or later proves the connection alive. */
  private probeSince: number | undefined;
  private lastProbeTs = 0;
  /** Sends on the current socket unanswered past ackTimeoutMs, resent once a probe is answered. */
  private readonly overdue = new Set<string>();
  private readonly sendTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Sends written on the current socket and not yet answered. */
  private readonly inFlight = new Set<string>();
  /** Sends written at least once by this instance (for the resend count). */
  private readonly sentBefore = new Set<string>();
  private readonly sendRetries = new Map<string, number>();
  private readonly internalErrors = new Map<string, number>();
  private readonly waiters = new Map<string, { resolve: (ack: AckFrame) => void; reject: (error: ParleyClientError) => void }>();
  private readonly counters: ClientStats = {
    connects: 0,
    disconnects: 0,
    resends: 0,
    syncs: 0,
    gapSyncs: 0,
    duplicatesDropped: 0,
    deadConnections: 0,
    probes: 0,
  };

  constructor(options: ParleyClientOptions) {
    this.options = options;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.heartbeatMs = (options.heartbeatSeconds ?? DEFAULTS.heartbeatSeconds) * 1000;
    this.events = new TypedEmitter((event, error) =>
      this.log('error', 'An event listener threw', { event: String(event), error: String(error) }),
    );
    this.machine = new ConnectionStateMachine((change) => this.events.emit('state', change), this.now);
    const store = options.storage ?? defaultStore();
    const namespace = options.storageNamespace ?? 'parley';
    this.outbox = new Outbox(store, `${namespace}:outbox`, (problem) => this.log('warn', problem));
    this.cursors = new CursorStore(store, `${namespace}:cursors`);
    this.platform = options.platform ?? browserPlatform();
    this.detachPlatform = attachPlatformHooks(this.platform, {
      online: () => this.onPlatformOnline(),
      offline: () => this.onPlatformOffline(),
      visible: () => this.onPageVisible(),
    });
  }

  // ---- public API ------------------------------------------------------------------------

  get state(): ConnectionState {
    return this.machine.state;
  }

  /** The signed-in user, once a session has been received. */
  get user(): Sender | undefined {
    return this.self;
  }

  on<K extends keyof ParleyEvents>(event: K, listener: Listener<ParleyEvents[K]>): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof ParleyEvents>(event: K, listener: Listener<ParleyEvents[K]>): void {
    this.events.off(event, listener);
  }

  /** Starts connecting (and reconnecting for as long as the client is not closed); resolves once caught up. */
  connect(): Promise<void> {
    const ready = this.whenReady();
    const state = this.machine.state;
    if (state === 'idle' || state === 'closed') {
      if (!isOnline(this.platform)) this.machine.transition('offline', 'went-offline', 'the platform reports no network');
      else void this.openSocket('connect-requested', 'connect() called');
    }
    return ready;
  }

  /** Closes the connection for good. Unacknowledged sends stay in the (persisted) outbox for the next connect. */
  close(): void {
    if (this.machine.state === 'closed') return;
    this.dropSocket(1000, 'client closed');
    this.clearTimer('retry');
    this.machine.transition('closed', 'closed-by-app', 'close() called');
  }

  /** Stops listening to platform events too; use when the client is discarded. */
  dispose(): void {
    this.close();
    this.detachPlatform();
  }

  /**
   * Sends a message. Customers may omit the conversation (their open one, or a new one).
   * The message is kept and resent with the same clientMsgId until acknowledged; the promise
   * rejects only when the server refuses it for good. Throws at once on empty or oversized text.
   */
  send(conversationId: string | undefined, text: string): PendingSend {
    checkText(text);
    return this.accept({
      clientMsgId: this.newClientMsgId(),
      action: 'message',
      ...(conversationId ? { conversationId } : {}),
      text,
      createdAt: this.now(),
    });
  }

  /** Customers: opens a conversation with a first message (acknowledged like any send). */
  start(request: { text: string; skill?: string; profile?: CustomerProfile }): PendingSend {
    checkText(request.text);
    return this.accept({
      clientMsgId: this.newClientMsgId(),
      action: 'start',
      text: request.text,
      ...(request.skill ? { skill: request.skill } : {}),
      ...(request.profile ? { profile: request.profile } : {}),
      createdAt: this.now(),
    });
  }

  /** Fire-and-forget actions: sent when connected and caught up, else refused with `not_connected`. */
  typing(conversationId: string): void {
    this.sendControl({ action: 'typing', conversationId });
  }

  markRead(conversationId: string, seq: number): void {
    this.sendControl({ action: 'read', conversationId, seq });
  }

  closeConversation(conversationId: string, reason?: string): void {
    this.sendControl({ action: 'close', conversationId, ...(reason ? { reason } : {}) });
  }

  setStatus(status: AgentStatus): void {
    this.sendControl({ action: 'status', status });
  }

  transfer(conversationId: string, target: { toAgentId: string } | { toSkill: string }, note?: string): void {
    this.sendControl({ action: 'transfer', conversationId, ...target, ...(note ? { note } : {}) });
  }

  rate(conversationId: string, score: number, comment?: string): void {
    this.sendControl({ action: 'rate', conversationId, score, ...(comment ? { comment } : {}) });
  }

  /** The conversation's messages on this device: ordered by seq, each once, no gaps. */
  messages(conversationId: string): readonly ChatMessage[] {
    return this.logs.get(conversationId)?.messages() ?? [];
  }

  conversations(): ConversationSummary[] {
    return [...this.summaries.values()];
  }

  /** Highest seq this device holds with nothing missing before it. */
  cursor(conversationId: string): number | undefined {
    return this.logs.get(conversationId)?.cursor ?? this.cursors.get(conversationId);
  }

  /** Sends accepted and not yet acknowledged or failed. */
  pending(): OutboxEntry[] {
    return this.outbox.list();
  }

  stats(): ClientStats {
    return { ...this.counters };
  }

  /** Asks the server for everything after this device's cursors (done on every connect anyway). */
  resync(): void {
    this.sendSync();
  }

  // ---- connection lifecycle --------------------------------------------------------------

  private whenReady(): Promise<void> {
    if (this.machine.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const stop = this.events.on('state', (change) => {
        if (change.to === 'ready') {
          stop();
          resolve();
        } else if (change.to === 'closed') {
          stop();
          reject(new ParleyClientError('not_connected', 'the client was closed before it connected'));
        }
      });
    });
  }

  private async openSocket(code: TransitionCode, reason: string): Promise<void> {
    this.clearTimer('retry');
    this.machine.transition('connecting', code, reason);
    const epoch = ++this.epoch;
    let token: string;
    try {
      token = await this.options.token();
    } catch (error) {
      if (epoch === this.epoch && this.machine.state === 'connecting')
        this.retryLater('token-failed', `the token hook failed: ${String(error)}`);
      return;
    }
    if (epoch !== this.epoch || this.machine.state !== 'connecting') return;
    const Socket = this.options.WebSocket ?? globalWebSocket();
    if (!Socket) throw new ParleyClientError('not_connected', 'no WebSocket implementation: pass one as options.WebSocket');
    let socket: WebSocketLike;
    try {
      socket = new Socket(urlWithToken(this.options.url, token));
    } catch (error) {
      this.retryLater('socket-error', `could not open the socket: ${String(error)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (epoch === this.epoch) this.onOpen();
    };
    socket.onmessage = (event) => {
      if (epoch === this.epoch) this.onData(event.data);
    };
    socket.onclose = (event) => {
      if (epoch === this.epoch) this.onSocketClosed(event.code, event.reason);
    };
    // A failing socket is always followed by close, which handles it.
    socket.onerror = () => undefined;
  }

  private onOpen(): void {
    this.counters.connects += 1;
    this.machine.transition('syncing', 'socket-open', 'connected; catching up');
    this.unansweredHeartbeats = 0;
    this.startHeartbeat();
    this.plannedTimer = setTimeout(() => this.plannedReconnect(), this.options.plannedReconnectMs ?? DEFAULTS.plannedReconnectMs);
    this.sendSync();
  }

  private onSocketClosed(code: number, reason: string): void {
    this.counters.disconnects += 1;
    this.dropSocket();
    this.retryLater('socket-closed', reason || `the connection closed (${code})`, code);
  }

  /** Forgets the current socket (closing it if still open) and every timer tied to it. */
  private dropSocket(code?: number, reason?: string): void {
    this.epoch += 1;
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onopen = null;
      socket.onmessage = null;
      socket.onclose = null;
      try {
        if (code !== undefined) socket.close(code, reason);
        else socket.close();
      } catch {
        // Already closed.
      }
    }
    this.clearTimer('heartbeat');
    this.clearTimer('planned');
    this.clearTimer('sync');
    this.clearTimer('gap');
    this.clearTimer('probe');
    this.probeSince = undefined;
    this.overdue.clear();
    for (const timer of this.sendTimers.values()) clearTimeout(timer);
    this.sendTimers.clear();
    this.inFlight.clear();
    this.syncInFlight = false;
    this.syncAgain = false;
  }

  private retryLater(code: TransitionCode, reason: string, closeCode?: number): void {
    const delay = fullJitterDelay(this.backoff, this.attempt, this.random);
    this.attempt += 1;
    this.machine.transition('waiting', code, reason, { retryInMs: delay, ...(closeCode === undefined ? {} : { closeCode }) });
    this.retryTimer = setTimeout(() => void this.openSocket('retry', `retrying after ${delay} ms`), delay);
  }

  private plannedReconnect(): void {
    this.dropSocket(1000, 'planned reconnect');
    this.attempt = 0;
    void this.openSocket('planned-reconnect', 'reconnecting before the gateway’s connection time limit');
  }

  private startHeartbeat(): void {
    this.clearTimer('heartbeat');
    this.heartbeatTimer = setInterval(() => this.heartbeatTick(), this.heartbeatMs);
  }

  private heartbeatTick(): void {
    if (this.replaceIfSilent()) return;
    this.unansweredHeartbeats += 1;
    this.write({ action: 'heartbeat', ts: this.now() });
  }

  /** Liveness is decided by pongs alone: too many unanswered heartbeats or probes replace the connection. */
  private replaceIfSilent(): boolean {
    if (this.unansweredHeartbeats < (this.options.missedPongsBeforeDead ?? DEFAULTS.missedPongsBeforeDead)) return false;
    this.counters.deadConnections += 1;
    this.dropSocket(4000, 'no pong');
    this.retryLater('dead-connection', `${this.unansweredHeartbeats} heartbeats went unanswered`);
    return true;
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
    if (this.replaceIfSilent()) return;
    this.unansweredHeartbeats += 1;
    this.counters.probes += 1;
    // Strictly increasing, so a pong can be matched to this round of probes.
    const ts = Math.max(this.now(), this.lastProbeTs + 1);
    this.lastProbeTs = ts;
    this.probeSince ??= ts;
    this.write({ action: 'heartbeat', ts });
    this.clearTimer('probe');
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.overdue.size > 0) this.sendProbe();
      else this.probeSince = undefined; // answered meanwhile; the regular heartbeat carries on
    }, this.options.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs);
  }

  private onPong(frame: PongFrame): void {
    this.unansweredHeartbeats = 0;
    const since = this.probeSince;
    // Only a pong to a heartbeat written after the overdue sends shows they reached the server unanswered.
    if (since === undefined || typeof frame.ts !== 'number' || frame.ts < since) return;
    this.clearTimer('probe');
    this.probeSince = undefined;
    const overdue = [...this.overdue];
    this.overdue.clear();
    for (const id of overdue) {
      const entry = this.outbox.get(id);
      // Same clientMsgId: the server stores it once and answers with the original ack.
      if (entry && this.inFlight.has(id)) this.transmit(entry, true);
    }
  }

  private onPlatformOffline(): void {
    if (!this.machine.can('offline') || this.machine.state === 'idle') return;
    this.dropSocket(1000, 'offline');
    this.clearTimer('retry');
    this.machine.transition('offline', 'went-offline', 'the platform reports no network');
  }

  private onPlatformOnline(): void {
    const state = this.machine.state;
    if (state !== 'offline' && state !== 'waiting') return;
    this.attempt = 0;
    void this.openSocket('came-online', 'the network is back');
  }

  private onPageVisible(): void {
    if (this.machine.state === 'waiting') {
      void this.openSocket('page-visible', 'the page became visible');
    } else if (this.machine.state === 'ready') {
      // A backgrounded tab's socket may have died silently: probe it now.
      this.write({ action: 'heartbeat', ts: this.now() });
    }
  }

  // ---- frames in ---------------------------------------------------------------------------

  private onData(data: unknown): void {
    const frame = parseServerFrame(data);
    if (!frame) {
      // E.g. API Gateway's "Internal server error": unacked sends time out and are resent.
      this.log('warn', 'Ignored a frame that is not a Parley server frame', { data: String(data).slice(0, 200) });
      return;
    }
    this.onFrame(frame);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'session':
        return this.onSession(frame);
      case 'synced':
        return this.onSynced(frame);
      case 'message': {
        const { type: _type, ...message } = frame;
        return this.onMessage(message);
      }
      case 'ack':
        return this.onAck(frame);
      case 'error':
        return this.onError(frame);
      case 'pong':
        this.onPong(frame);
        return this.events.emit('pong', frame);
      case 'conversation':
        this.remember(frame.conversation);
        return this.events.emit('conversation', frame.conversation);
      case 'assigned':
        this.patch(frame.conversationId, { status: 'assigned', agent: frame.agent });
        return this.events.emit('assigned', frame);
      case 'closed':
        this.patch(frame.conversationId, { status: 'closed' });
        return this.events.emit('closed', frame);
      case 'queued':
        this.patch(frame.conversationId, { status: 'queued' });
        return this.events.emit('queued', frame);
      case 'transferred':
        return this.events.emit('transferred', frame);
      case 'typing':
        return this.events.emit('typing', frame);
      case 'read':
        return this.events.emit('read', frame);
      case 'status':
        return this.events.emit('status', frame);
      case 'rated':
        return this.events.emit('rated', frame);
    }
  }

  private onSession(frame: SessionFrame): void {
    this.self = frame.user;
    const heartbeatMs = frame.heartbeatSeconds * 1000;
    if (heartbeatMs > 0 && heartbeatMs !== this.heartbeatMs) {
      this.heartbeatMs = heartbeatMs;
      this.startHeartbeat();
    }
    this.sessionIds.clear();
    for (const conversation of frame.conversations) {
      this.sessionIds.add(conversation.id);
      this.remember(conversation);
    }
    this.events.emit('session', frame);
  }

  private onMessage(message: ChatMessage): void {
    this.take(this.logFor(message.conversationId), message);
  }

  private take(log: ConversationLog, message: ChatMessage): void {
    const released = log.accept(message);
    if (released.length === 0 && log.cursor !== undefined && message.seq <= log.cursor) this.counters.duplicatesDropped += 1;
    this.deliver(message.conversationId, released);
    if (log.cursor === undefined || log.hasGap) this.scheduleGapSync();
  }

  private deliver(conversationId: string, released: readonly ChatMessage[]): void {
    const last = released.at(-1);
    if (!last) return;
    this.cursors.set(conversationId, last.seq);
    const summary = this.summaries.get(conversationId);
    if (summary && summary.lastSeq < last.seq) this.summaries.set(conversationId, { ...summary, lastSeq: last.seq });
    for (const message of released) this.events.emit('message', message);
  }

  private onAck(frame: AckFrame): void {
    this.clearSendTimer(frame.clientMsgId);
    this.inFlight.delete(frame.clientMsgId);
    this.overdue.delete(frame.clientMsgId);
    const entry = this.outbox.take(frame.clientMsgId);
    if (!entry) return; // an ack for a resend already acknowledged
    this.sentBefore.delete(frame.clientMsgId);
    this.pump();
    this.sendRetries.delete(frame.clientMsgId);
    this.internalErrors.delete(frame.clientMsgId);
    if (this.self) {
      // The server does not echo a message to the connection that sent it: the ack stands in.
      this.take(this.logFor(frame.conversationId), {
        conversationId: frame.conversationId,
        seq: frame.seq,
        messageId: frame.messageId,
        clientMsgId: frame.clientMsgId,
        sender: this.self,
        text: entry.text,
        ts: frame.ts,
      });
    }
    this.waiters.get(frame.clientMsgId)?.resolve(frame);
    this.waiters.delete(frame.clientMsgId);
    this.events.emit('ack', frame);
  }

  private onError(frame: ErrorFrame): void {
    const entry = frame.clientMsgId ? this.outbox.get(frame.clientMsgId) : undefined;
    if (entry) return this.onSendError(entry, frame);
    if (frame.action === 'sync') {
      this.clearTimer('sync');
      this.syncInFlight = false;
      this.syncFailures += 1;
      const delay = frame.retryAfterMs ?? fullJitterDelay(this.backoff, this.syncFailures, this.random);
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        this.sendSync();
      }, delay);
      return;
    }
    if (frame.code === 'unauthorized') this.reconnectForToken();
    this.events.emit('error', frame);
  }

  private onSendError(entry: OutboxEntry, frame: ErrorFrame): void {
    const id = entry.clientMsgId;
    this.clearSendTimer(id);
    this.overdue.delete(id); // answered: the retry below (or the failure) takes over
    const internal = frame.code === 'internal' ? (this.internalErrors.get(id) ?? 0) + 1 : 0;
    if (frame.code === 'internal') this.internalErrors.set(id, internal);
    if (isDefinitiveError(frame.code) || internal > (this.options.maxInternalErrors ?? DEFAULTS.maxInternalErrors)) {
      this.fail(entry, frame);
      return;
    }
    if (frame.code === 'unauthorized') {
      this.reconnectForToken();
      return;
    }
    const retries = (this.sendRetries.get(id) ?? 0) + 1;
    this.sendRetries.set(id, retries);
    const delay = frame.retryAfterMs ?? fullJitterDelay(this.backoff, retries, this.random);
    this.sendTimers.set(
      id,
      setTimeout(() => {
        this.sendTimers.delete(id);
        if (this.outbox.get(id)) this.transmit(entry, true);
      }, delay),
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
    this.events.emit('failed', { clientMsgId: entry.clientMsgId, entry, error });
  }

  /** The token expired while connected: reconnect, which fetches a fresh one. */
  private reconnectForToken(): void {
    if (this.machine.state !== 'ready' && this.machine.state !== 'syncing') return;
    this.dropSocket(1000, 'token expired');
    this.attempt = 0;
    void this.openSocket('token-failed', 'the server says the token expired; reconnecting with a fresh one');
  }

  // ---- sync ----------------------------------------------------------------------------------

  private sendSync(): void {
    if (!this.isSocketOpen()) return;
    if (this.syncInFlight) {
      this.syncAgain = true;
      return;
    }
    this.syncInFlight = true;
    this.counters.syncs += 1;
    const cursors = this.cursors.all();
    for (const [id, log] of this.logs) {
      // A conversation met live (assigned, transferred, just started) and absent from the
      // last session has no read position to resume from: ask for all of it.
      if (log.cursor !== undefined) cursors[id] = log.cursor;
      else if (!this.sessionIds.has(id)) cursors[id] = 0;
    }
    this.requestedIds = new Set([...Object.keys(cursors), ...this.sessionIds]);
    this.write(Object.keys(cursors).length > 0 ? { action: 'sync', cursors } : { action: 'sync' });
    this.clearTimer('sync');
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncInFlight = false;
      this.sendSync();
    }, this.options.syncTimeoutMs ?? DEFAULTS.syncTimeoutMs);
  }

  private onSynced(frame: SyncedFrame): void {
    this.clearTimer('sync');
    this.syncInFlight = false;
    this.syncFailures = 0;
    let behind = false;
    for (const [conversationId, reached] of Object.entries(frame.conversations)) {
      const log = this.logFor(conversationId);
      // Without a cursor the server began after the user's read cursor.
      if (log.cursor === undefined) this.deliver(conversationId, log.startAt(reached));
      if ((log.cursor ?? 0) < reached || log.hasGap) behind = true;
    }
    for (const [id, log] of this.logs) {
      // Asked for but not answered: no longer visible to this user (e.g. transferred away).
      if (log.cursor === undefined && this.requestedIds.has(id) && !(id in frame.conversations)) this.logs.delete(id);
    }
    if (this.machine.state === 'syncing') {
      this.machine.transition('ready', 'synced', 'caught up');
      this.attempt = 0;
      this.flushOutbox();
    }
    this.events.emit('synced', frame);
    if (frame.more || this.syncAgain) {
      this.syncAgain = false;
      this.sendSync();
    } else if (behind) {
      this.scheduleGapSync();
    }
  }

  private scheduleGapSync(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      const stillMissing = [...this.logs.values()].some((log) => log.cursor === undefined || log.hasGap);
      if (!stillMissing) return;
      this.counters.gapSyncs += 1;
      this.sendSync();
    }, this.options.gapSyncDelayMs ?? DEFAULTS.gapSyncDelayMs);
  }

  // ---- frames out ----------------------------------------------------------------------------

  private accept(entry: OutboxEntry): PendingSend {
    this.outbox.add(entry);
    const promise = new Promise<AckFrame>((resolve, reject) => this.waiters.set(entry.clientMsgId, { resolve, reject }));
    // Listening to the `failed` event instead of the promise must not cause an unhandled rejection.
    promise.catch(() => undefined);
    this.pump();
    return { clientMsgId: entry.clientMsgId, promise };
  }

  /** After (re)connecting: every unacknowledged send goes out again, oldest first, with its clientMsgId. */
  private flushOutbox(): void {
    this.pump();
  }

  /** Writes waiting outbox entries while fewer than maxInFlight are unanswered on this socket. */
  private pump(): void {
    const limit = this.options.maxInFlight ?? DEFAULTS.maxInFlight;
    for (const entry of this.outbox.list()) {
      if (this.inFlight.size >= limit) return;
      if (this.inFlight.has(entry.clientMsgId)) continue;
      this.transmit(entry, this.sentBefore.has(entry.clientMsgId));
    }
  }

  private transmit(entry: OutboxEntry, isResend: boolean): void {
    if (this.machine.state !== 'ready' || !this.isSocketOpen()) return;
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
          }
        : {
            action: 'message',
            clientMsgId: entry.clientMsgId,
            text: entry.text,
            ...(entry.conversationId ? { conversationId: entry.conversationId } : {}),
          };
    this.write(frame);
    this.clearSendTimer(entry.clientMsgId);
    // No answer yet (a busy server, a crashed handler, a connection that stopped answering):
    // probe the connection rather than assume it is dead.
    this.sendTimers.set(
      entry.clientMsgId,
      setTimeout(() => {
        this.sendTimers.delete(entry.clientMsgId);
        this.onSendOverdue(entry.clientMsgId);
      }, this.options.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs),
    );
  }

  private sendControl(frame: ClientFrame): void {
    if (this.machine.state !== 'ready' || !this.isSocketOpen()) {
      throw new ParleyClientError('not_connected', `cannot send ${frame.action} while ${this.machine.state}`);
    }
    this.write(frame);
  }

  private write(frame: ClientFrame): void {
    if (!this.isSocketOpen()) return;
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch (error) {
      this.log('warn', 'A frame could not be written; the connection is failing', { action: frame.action, error: String(error) });
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private isSocketOpen(): boolean {
    return this.socket?.readyState === SOCKET_OPEN;
  }

  private logFor(conversationId: string): ConversationLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = new ConversationLog(this.cursors.get(conversationId));
      this.logs.set(conversationId, log);
    }
    return log;
  }

  private remember(summary: ConversationSummary): void {
    this.summaries.set(summary.id, summary);
    const log = this.logFor(summary.id);
    if (log.cursor === undefined) this.scheduleGapSync();
  }

  private patch(conversationId: string, change: Partial<ConversationSummary>): void {
    const summary = this.summaries.get(conversationId);
    if (summary) this.summaries.set(conversationId, { ...summary, ...change });
  }

  private newClientMsgId(): string {
    return (this.options.newClientMsgId ?? randomId)();
  }

  private clearSendTimer(clientMsgId: string): void {
    const timer = this.sendTimers.get(clientMsgId);
    if (timer !== undefined) clearTimeout(timer);
    this.sendTimers.delete(clientMsgId);
  }

  private clearTimer(which: 'retry' | 'heartbeat' | 'planned' | 'sync' | 'gap' | 'probe'): void {
    switch (which) {
      case 'retry':
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        return;
      case 'heartbeat':
        clearInterval(this.heartbeatTimer);
        this.heartbeatTimer = undefined;
        return;
      case 'planned':
        clearTimeout(this.plannedTimer);
        this.plannedTimer = undefined;
        return;
      case 'sync':
        clearTimeout(this.syncTimer);
        this.syncTimer = undefined;
        return;
      case 'gap':
        clearTimeout(this.gapTimer);
        this.gapTimer = undefined;
        return;
      case 'probe':
        clearTimeout(this.probeTimer);
        this.probeTimer = undefined;
        return;
    }
  }

  private log(level: keyof ParleyLogger, message: string, details?: Record<string, unknown>): void {
    this.options.logger?.[level]?.(message, details);
  }
}
