import type { WebSocket } from 'ws';
import type { ConnectionFacts, WebSocketAuthorizerValues } from './websocket-events';

/**
 * `connecting`: authorizer or $connect still running (management API answers 410, as on AWS);
 * `open`: socket upgraded; `closing`: a close has begun (gateway-initiated or a protocol error);
 * `closed`: socket gone, $disconnect queued or done.
 */
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

export interface CloseStatus {
  readonly code: number;
  readonly reason: string;
}

/** One WebSocket connection's record in the gateway. */
export class GatewayConnection implements ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  state: ConnectionState = 'connecting';
  lastActiveAt: number;
  authorizer: WebSocketAuthorizerValues | undefined;
  socket: WebSocket | undefined;
  /** Set when the gateway itself closes the socket, so $disconnect reports the gateway's reason. */
  serverClose: CloseStatus | undefined;
  /** Settles once the connection is entirely over: refused, or closed with its $disconnect run. */
  readonly finished: Promise<void>;
  private markFinished: () => void = () => undefined;
  private tail: Promise<void> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  private lifetimeTimer: NodeJS.Timeout | undefined;

  constructor(facts: ConnectionFacts) {
    this.connectionId = facts.connectionId;
    this.connectedAt = facts.connectedAt;
    this.sourceIp = facts.sourceIp;
    this.userAgent = facts.userAgent;
    this.lastActiveAt = facts.connectedAt;
    this.finished = new Promise((resolve) => {
      this.markFinished = resolve;
    });
  }

  finish(): void {
    this.state = 'closed';
    this.stopClocks();
    this.markFinished();
  }

  /**
   * Runs tasks one after another in arrival order. The task must not throw; the chain
   * swallows failures anyway so one bad task cannot stall the connection.
   */
  enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.tail.then(task).catch(() => undefined);
    this.tail = run;
    return run;
  }

  /** Starts the idle and maximum-duration clocks; `onExpired` fires at most once per clock. */
  startClocks(idleTimeoutMs: number, maxDurationMs: number, onExpired: (clock: 'idle' | 'lifetime') => void): void {
    this.idleTimer = setTimeout(() => onExpired('idle'), idleTimeoutMs);
    this.lifetimeTimer = setTimeout(() => onExpired('lifetime'), Math.max(0, this.connectedAt + maxDurationMs - Date.now()));
  }

  /** A client data frame arrived: restart the idle clock. */
  recordActivity(): void {
    this.lastActiveAt = Date.now();
    this.idleTimer?.refresh();
  }

  stopClocks(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
    this.idleTimer = undefined;
    this.lifetimeTimer = undefined;
  }
}
