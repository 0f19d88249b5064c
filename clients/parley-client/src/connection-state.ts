/**
 * `idle`: never connected. `connecting`: fetching a token and opening the socket.
 * `syncing`: open, catching up. `ready`: caught up, sends go straight out.
 * `waiting`: disconnected, retrying after a backoff delay. `offline`: the browser says there
 * is no network; retries resume when it returns. `closed`: the app called close().
 */
export type ConnectionState = 'idle' | 'connecting' | 'syncing' | 'ready' | 'waiting' | 'offline' | 'closed';

/** Why a transition happened, machine-readable; `reason` on the change says it in words. */
export type TransitionCode =
  | 'connect-requested'
  | 'socket-open'
  | 'synced'
  | 'socket-closed'
  | 'socket-error'
  | 'dead-connection'
  | 'planned-reconnect'
  | 'retry'
  | 'token-failed'
  | 'went-offline'
  | 'came-online'
  | 'page-visible'
  | 'closed-by-app';

export interface StateChange {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  readonly code: TransitionCode;
  readonly reason: string;
  /** Close code from the socket, when a socket closed. */
  readonly closeCode?: number;
  /** Delay before the next attempt, when entering `waiting`. */
  readonly retryInMs?: number;
  readonly at: number;
}

const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  idle: ['connecting', 'offline', 'closed'],
  connecting: ['syncing', 'waiting', 'offline', 'closed'],
  syncing: ['ready', 'waiting', 'connecting', 'offline', 'closed'],
  ready: ['waiting', 'connecting', 'offline', 'closed'],
  waiting: ['connecting', 'offline', 'closed'],
  offline: ['connecting', 'closed'],
  closed: ['connecting'],
};

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
}

/** Holds the state and refuses transitions the table above does not allow. */
export class ConnectionStateMachine {
  private current: ConnectionState = 'idle';

  constructor(
    private readonly onChange: (change: StateChange) => void,
    private readonly now: () => number,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  can(to: ConnectionState): boolean {
    return ALLOWED[this.current].includes(to);
  }

  transition(
    to: ConnectionState,
    code: TransitionCode,
    reason: string,
    extra: { closeCode?: number; retryInMs?: number } = {},
  ): StateChange {
    if (!this.can(to)) throw new InvalidTransitionError(`cannot go from ${this.current} to ${to} (${code})`);
    const change: StateChange = { from: this.current, to, code, reason, ...extra, at: this.now() };
    this.current = to;
    this.onChange(change);
    return change;
  }
}
