import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { browserPlatform, type PlatformEvents } from './browser-hooks';
import type { StateChange } from './connection-state';
import type { ParleyClientError } from './errors';
import type { OutboxEntry } from './outbox';
import type {
  AckFrame,
  AssignedFrame,
  AvailabilityFrame,
  ChatMessage,
  ClosedFrame,
  ConversationSummary,
  ErrorFrame,
  OfferFrame,
  PongFrame,
  QueuedFrame,
  RatedFrame,
  ReadFrame,
  SessionFrame,
  StatusFrame,
  SyncedFrame,
  TranscriptFrame,
  TransferredFrame,
  TypingFrame,
} from './protocol';
import type { KeyValueStore } from './storage';
import type { WebSocketConstructor } from './socket';

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
  /** Extension (issue 10): a staff client that keeps internal notes (sync asks for them, `note` events). */
  readonly notes?: boolean;
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
  /** Extension (issue 10, staff): each internal note once (own notes on their ack); `seq` is its note seq. */
  note: ChatMessage;
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
  availability: AvailabilityFrame;
  offer: OfferFrame;
  transcript: TranscriptFrame;
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
  /** Syncs once per connection after `session.recheckSeconds` (issue 14, docs/delivery.md). */
  rechecks: number;
  duplicatesDropped: number;
  deadConnections: number;
  /** Heartbeats sent early because a send went unanswered for `ackTimeoutMs`. */
  probes: number;
  /** `message` sends accepted with a cursor (issue 14: one DynamoDB request fewer each) and without one. */
  sendsWithCursor: number;
  sendsWithoutCursor: number;
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

/** The options with every default applied; each part of the client takes the settings it needs. */
export interface Settings {
  readonly backoff: BackoffPolicy;
  readonly heartbeatMs: number;
  readonly missedPongsBeforeDead: number;
  readonly plannedReconnectMs: number;
  readonly ackTimeoutMs: number;
  readonly syncTimeoutMs: number;
  readonly gapSyncDelayMs: number;
  readonly maxInFlight: number;
  readonly maxInternalErrors: number;
  readonly platform: PlatformEvents;
  readonly random: () => number;
  readonly now: () => number;
  readonly newClientMsgId: () => string;
}

export function resolveSettings(options: ParleyClientOptions, defaultClientMsgId: () => string): Settings {
  return {
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    heartbeatMs: (options.heartbeatSeconds ?? DEFAULTS.heartbeatSeconds) * 1000,
    missedPongsBeforeDead: options.missedPongsBeforeDead ?? DEFAULTS.missedPongsBeforeDead,
    plannedReconnectMs: options.plannedReconnectMs ?? DEFAULTS.plannedReconnectMs,
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULTS.ackTimeoutMs,
    syncTimeoutMs: options.syncTimeoutMs ?? DEFAULTS.syncTimeoutMs,
    gapSyncDelayMs: options.gapSyncDelayMs ?? DEFAULTS.gapSyncDelayMs,
    maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
    maxInternalErrors: options.maxInternalErrors ?? DEFAULTS.maxInternalErrors,
    platform: options.platform ?? browserPlatform(),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
    newClientMsgId: options.newClientMsgId ?? defaultClientMsgId,
  };
}

export function newStats(): ClientStats {
  return {
    connects: 0,
    disconnects: 0,
    resends: 0,
    syncs: 0,
    gapSyncs: 0,
    rechecks: 0,
    duplicatesDropped: 0,
    deadConnections: 0,
    probes: 0,
    sendsWithCursor: 0,
    sendsWithoutCursor: 0,
  };
}

/** How the parts report problems: through the app's optional logger. */
export type Log = (level: keyof ParleyLogger, message: string, details?: Record<string, unknown>) => void;
