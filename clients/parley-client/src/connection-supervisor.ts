import { fullJitterDelay } from './backoff';
import { attachPlatformHooks, isOnline } from './browser-hooks';
import type { ClientStats, Log, ParleyClientOptions, Settings } from './client-types';
import { ConnectionStateMachine, type ConnectionState, type StateChange, type TransitionCode } from './connection-state';
import { ParleyClientError } from './errors';
import type { ClientFrame } from './protocol';
import { SOCKET_OPEN, globalWebSocket, urlWithToken, type WebSocketLike } from './socket';

/** The settings the supervisor uses (resolved once by the client). */
export type SupervisorConfig = Pick<
  Settings,
  'backoff' | 'heartbeatMs' | 'missedPongsBeforeDead' | 'plannedReconnectMs' | 'platform' | 'random' | 'now'
>;

/** What the supervisor tells the rest of the client. */
export interface SupervisorHooks {
  stateChanged(change: StateChange): void;
  /** A socket opened: catch up before anything else goes out. */
  opened(): void;
  data(data: unknown): void;
  /** The current socket was abandoned: forget everything tied to it (its timers, its unanswered sends). */
  dropped(): void;
  log: Log;
}

/**
 * Keeps one socket alive for as long as the client is not closed: fetches a token before every
 * attempt, reconnects with full-jitter backoff, decides liveness by pongs alone, reconnects
 * before the gateway's 2-hour cut and follows the platform's online/offline/visibility events.
 */
export class ConnectionSupervisor {
  private readonly machine: ConnectionStateMachine;
  private readonly detachPlatform: () => void;
  private socket: WebSocketLike | undefined;
  /** Bumped whenever a socket is abandoned, so its late events are ignored. */
  private epoch = 0;
  private attempt = 0;
  private heartbeatMs: number;
  private unansweredHeartbeats = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private plannedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: Pick<ParleyClientOptions, 'url' | 'token' | 'WebSocket'>,
    private readonly config: SupervisorConfig,
    private readonly counters: ClientStats,
    private readonly hooks: SupervisorHooks,
  ) {
    this.heartbeatMs = config.heartbeatMs;
    this.machine = new ConnectionStateMachine((change) => hooks.stateChanged(change), config.now);
    this.detachPlatform = attachPlatformHooks(config.platform, {
      online: () => this.onPlatformOnline(),
      offline: () => this.onPlatformOffline(),
      visible: () => this.onPageVisible(),
    });
  }

  get state(): ConnectionState {
    return this.machine.state;
  }

  /** Starts connecting unless already connected or on the way. */
  start(): void {
    const state = this.machine.state;
    if (state !== 'idle' && state !== 'closed') return;
    if (!isOnline(this.config.platform)) this.machine.transition('offline', 'went-offline', 'the platform reports no network');
    else void this.openSocket('connect-requested', 'connect() called');
  }

  stop(): void {
    if (this.machine.state === 'closed') return;
    this.dropSocket(1000, 'client closed');
    this.clearRetry();
    this.machine.transition('closed', 'closed-by-app', 'close() called');
  }

  detach(): void {
    this.detachPlatform();
  }

  isOpen(): boolean {
    return this.socket?.readyState === SOCKET_OPEN;
  }

  /** Caught up on an open socket: sends may go straight out. */
  isReady(): boolean {
    return this.machine.state === 'ready' && this.isOpen();
  }

  write(frame: ClientFrame): void {
    if (!this.isOpen()) return;
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch (error) {
      this.hooks.log('warn', 'A frame could not be written; the connection is failing', { action: frame.action, error: String(error) });
    }
  }

  /** The first sync after opening finished; true if that made the connection ready. */
  caughtUp(): boolean {
    if (this.machine.state !== 'syncing') return false;
    this.machine.transition('ready', 'synced', 'caught up');
    this.attempt = 0;
    return true;
  }

  setHeartbeatSeconds(seconds: number): void {
    const heartbeatMs = seconds * 1000;
    if (heartbeatMs > 0 && heartbeatMs !== this.heartbeatMs) {
      this.heartbeatMs = heartbeatMs;
      this.startHeartbeat();
    }
  }

  /**
   * Writes a heartbeat that counts towards declaring the connection dead and returns its `ts`;
   * undefined when, instead, too many went unanswered and the connection was replaced.
   */
  heartbeat(ts: () => number = this.config.now): number | undefined {
    if (this.replaceIfSilent()) return undefined;
    this.unansweredHeartbeats += 1;
    const value = ts();
    this.write({ action: 'heartbeat', ts: value });
    return value;
  }

  /** Any pong proves the connection alive. */
  pong(): void {
    this.unansweredHeartbeats = 0;
  }

  /** The token expired while connected: reconnect, which fetches a fresh one. */
  reconnectForToken(): void {
    if (this.machine.state !== 'ready' && this.machine.state !== 'syncing') return;
    this.dropSocket(1000, 'token expired');
    this.attempt = 0;
    void this.openSocket('token-failed', 'the server says the token expired; reconnecting with a fresh one');
  }

  private async openSocket(code: TransitionCode, reason: string): Promise<void> {
    this.clearRetry();
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
      if (epoch === this.epoch) this.hooks.data(event.data);
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
    this.plannedTimer = setTimeout(() => this.plannedReconnect(), this.config.plannedReconnectMs);
    this.hooks.opened();
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
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    clearTimeout(this.plannedTimer);
    this.plannedTimer = undefined;
    this.hooks.dropped();
  }

  private retryLater(code: TransitionCode, reason: string, closeCode?: number): void {
    const delay = fullJitterDelay(this.config.backoff, this.attempt, this.config.random);
    this.attempt += 1;
    this.machine.transition('waiting', code, reason, { retryInMs: delay, ...(closeCode === undefined ? {} : { closeCode }) });
    this.retryTimer = setTimeout(() => void this.openSocket('retry', `retrying after ${delay} ms`), delay);
  }

  private clearRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private plannedReconnect(): void {
    this.dropSocket(1000, 'planned reconnect');
    this.attempt = 0;
    void this.openSocket('planned-reconnect', 'reconnecting before the gateway’s connection time limit');
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.heartbeatMs);
  }

  /** Liveness is decided by pongs alone: too many unanswered heartbeats or probes replace the connection. */
  private replaceIfSilent(): boolean {
    if (this.unansweredHeartbeats < this.config.missedPongsBeforeDead) return false;
    this.counters.deadConnections += 1;
    this.dropSocket(4000, 'no pong');
    this.retryLater('dead-connection', `${this.unansweredHeartbeats} heartbeats went unanswered`);
    return true;
  }

  private onPlatformOffline(): void {
    if (!this.machine.can('offline') || this.machine.state === 'idle') return;
    this.dropSocket(1000, 'offline');
    this.clearRetry();
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
      this.write({ action: 'heartbeat', ts: this.config.now() });
    }
  }
}
