import { fullJitterDelay, type BackoffPolicy } from './backoff';
import type { ClientStats } from './client-types';
import { ConversationLog } from './conversation-log';
import type { CursorStore } from './cursor-store';
import {
  MAX_SYNC_CURSORS,
  type ChatMessage,
  type ClientFrame,
  type ConversationSummary,
  type ErrorFrame,
  type SessionFrame,
  type SyncedFrame,
} from './protocol';

export interface SyncConfig {
  readonly syncTimeoutMs: number;
  readonly gapSyncDelayMs: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
}

/** The connection as sync needs it (the supervisor's side). */
export interface SyncConnection {
  isOpen(): boolean;
  write(frame: ClientFrame): void;
}

export interface SyncHooks {
  /** A sync finished; the first one after connecting makes the client ready. */
  caughtUp(): void;
  synced(frame: SyncedFrame): void;
  /** Extension (issue 10): staff clients ask for internal notes after these note cursors. */
  noteCursors?(): Record<string, number>;
  /** Each message once, in seq order. */
  delivered(message: ChatMessage): void;
}

/**
 * What this device holds of each conversation, and keeping it caught up: per-conversation logs
 * and cursors, `sync` requests (again on timeout, error, `more`, or a gap still open after
 * gapSyncDelayMs), and ordered, de-duplicated delivery of messages from any source.
 */
export class ConversationSync {
  private readonly logs = new Map<string, ConversationLog>();
  private readonly summaries = new Map<string, ConversationSummary>();
  /** Conversations the last `session` listed: the server knows where to start those without a cursor. */
  private readonly sessionIds = new Set<string>();
  /** Conversations named (listed or with a cursor) by the sync in flight. */
  private requestedIds = new Set<string>();
  private syncInFlight = false;
  private syncAgain = false;
  private syncFailures = 0;
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  /** The connection's one recheck sync (`session.recheckSeconds`), set by its first session. */
  private recheckTimer: ReturnType<typeof setTimeout> | undefined;
  private recheckScheduled = false;
  /** Per conversation, the highest seq the server reported stored (issue 14, `sendCursor`). */
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly cursors: CursorStore,
    private readonly config: SyncConfig,
    private readonly counters: ClientStats,
    private readonly connection: SyncConnection,
    private readonly hooks: SyncHooks,
    /** Persisted `reported` seqs beyond the cursor, so a reloaded client still has them before it syncs. */
    private readonly reportedStore?: CursorStore,
  ) {}

  messages(conversationId: string): readonly ChatMessage[] {
    return this.logs.get(conversationId)?.messages() ?? [];
  }

  conversations(): ConversationSummary[] {
    return [...this.summaries.values()];
  }

  cursor(conversationId: string): number | undefined {
    return this.logs.get(conversationId)?.cursor ?? this.cursors.get(conversationId);
  }

  /**
   * The cursor a send accepted now carries (issue 14, `message.cursor`): the highest seq known
   * to be stored with every seq before it. That is this device's cursor, or any seq the server
   * reported for the conversation (a summary's `lastSeq` in `session` or `conversation`, a
   * message or ack, a sync's reach), all of them stored before they were reported, and slots
   * fill as a prefix. Never above what was stored when the send is accepted, which is all the
   * server needs (docs/delivery.md "The message path's requests"). Undefined when nothing is known.
   */
  sendCursor(conversationId: string): number | undefined {
    const known = [this.cursor(conversationId), this.reported.get(conversationId), this.reportedStore?.get(conversationId)];
    const seqs = known.filter((seq): seq is number => seq !== undefined);
    return seqs.length > 0 ? Math.max(...seqs) : undefined;
  }

  /** Asks for everything after the cursors; if a sync is already in flight, again once it ends. */
  request(): void {
    if (!this.connection.isOpen()) return;
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
    this.keepNewestCursors(cursors);
    this.requestedIds = new Set([...Object.keys(cursors), ...this.sessionIds]);
    const noteCursors = this.hooks.noteCursors?.();
    this.connection.write({
      action: 'sync',
      ...(Object.keys(cursors).length > 0 ? { cursors } : {}),
      ...(noteCursors ? { noteCursors: this.newest(noteCursors) } : {}),
    });
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncInFlight = false;
      this.request();
    }, this.config.syncTimeoutMs);
  }

  /**
   * The server takes at most MAX_SYNC_CURSORS: keep the conversations met on this device since
   * it started, then the newest (ids are time-ordered ULIDs); the oldest cursors are left out.
   */
  private keepNewestCursors(cursors: Record<string, number>): void {
    const ids = Object.keys(cursors);
    if (ids.length <= MAX_SYNC_CURSORS) return;
    const ranked = ids.sort((a, b) => Number(this.logs.has(b)) - Number(this.logs.has(a)) || (a < b ? 1 : a > b ? -1 : 0));
    for (const id of ranked.slice(MAX_SYNC_CURSORS)) delete cursors[id];
  }

  private newest(noteCursors: Record<string, number>): Record<string, number> {
    const ids = Object.keys(noteCursors).sort().reverse().slice(0, MAX_SYNC_CURSORS);
    return Object.fromEntries(ids.map((id) => [id, noteCursors[id] as number]));
  }

  /** The socket was abandoned: whatever was asked on it will not be answered. */
  reset(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    this.recheckScheduled = false;
    this.syncInFlight = false;
    this.syncAgain = false;
  }

  onSession(frame: SessionFrame): void {
    this.scheduleRecheck(frame.recheckSeconds);
    this.sessionIds.clear();
    for (const conversation of frame.conversations) {
      this.sessionIds.add(conversation.id);
      this.remember(conversation);
    }
  }

  onSynced(frame: SyncedFrame): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.syncInFlight = false;
    this.syncFailures = 0;
    let behind = false;
    for (const [conversationId, reached] of Object.entries(frame.conversations)) {
      this.report(conversationId, reached);
      const log = this.logFor(conversationId);
      // Without a cursor the server began after the user's read cursor.
      if (log.cursor === undefined) this.deliver(conversationId, log.startAt(reached));
      if ((log.cursor ?? 0) < reached || log.hasGap) behind = true;
    }
    for (const [id, log] of this.logs) {
      // Asked for but not answered: no longer visible to this user (e.g. transferred away).
      if (log.cursor === undefined && this.requestedIds.has(id) && !(id in frame.conversations)) this.logs.delete(id);
    }
    this.hooks.caughtUp();
    this.hooks.synced(frame);
    if (frame.more || this.syncAgain) {
      this.syncAgain = false;
      this.request();
    } else if (behind) {
      this.scheduleGapSync();
    }
  }

  /** The server refused or failed the sync: ask again after a backoff. */
  onSyncError(frame: ErrorFrame): void {
    clearTimeout(this.syncTimer);
    this.syncInFlight = false;
    this.syncFailures += 1;
    const delay = frame.retryAfterMs ?? fullJitterDelay(this.config.backoff, this.syncFailures, this.config.random);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.request();
    }, delay);
  }

  /** Takes a message from any source (live, sync, own ack): delivered once, in seq order. */
  receive(message: ChatMessage): void {
    const log = this.logFor(message.conversationId);
    const released = log.accept(message);
    if (released.length === 0 && log.cursor !== undefined && message.seq <= log.cursor) this.counters.duplicatesDropped += 1;
    this.deliver(message.conversationId, released);
    this.report(message.conversationId, message.seq);
    if (log.cursor === undefined || log.hasGap) this.scheduleGapSync();
  }

  remember(summary: ConversationSummary): void {
    this.summaries.set(summary.id, summary);
    this.report(summary.id, summary.lastSeq);
    const log = this.logFor(summary.id);
    if (log.cursor === undefined) this.scheduleGapSync();
  }

  /** Replaces a known summary with what `change` makes of it (nothing when it returns undefined). */
  update(conversationId: string, change: (summary: ConversationSummary) => ConversationSummary | undefined): void {
    const summary = this.summaries.get(conversationId);
    const next = summary ? change(summary) : undefined;
    if (next) this.summaries.set(conversationId, next);
  }

  patch(conversationId: string, change: Partial<ConversationSummary>): void {
    const summary = this.summaries.get(conversationId);
    if (summary) this.summaries.set(conversationId, { ...summary, ...change });
  }

  /** The server reported `seq` of this conversation stored: a sound send cursor from now on. */
  private report(conversationId: string, seq: number): void {
    if (!Number.isInteger(seq) || seq < 0 || (this.reported.get(conversationId) ?? -1) >= seq) return;
    this.reported.set(conversationId, seq);
    // Persisted only while ahead of the (persisted) cursor: usually no write at all.
    if (seq > (this.cursor(conversationId) ?? -1)) this.reportedStore?.set(conversationId, seq);
  }

  private deliver(conversationId: string, released: readonly ChatMessage[]): void {
    const last = released.at(-1);
    if (!last) return;
    this.cursors.set(conversationId, last.seq);
    const summary = this.summaries.get(conversationId);
    if (summary && summary.lastSeq < last.seq) this.summaries.set(conversationId, { ...summary, lastSeq: last.seq });
    for (const message of released) this.hooks.delivered(message);
  }

  /**
   * Once per connection, from its first session: a message whose send read its recipients
   * before this connection opened may be stored after this connection's first sync, and its
   * push did not know the connection; a sync after `recheckSeconds` fetches it.
   */
  private scheduleRecheck(recheckSeconds: number | undefined): void {
    if (this.recheckScheduled) return;
    this.recheckScheduled = true;
    if (typeof recheckSeconds !== 'number' || !(recheckSeconds > 0)) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      this.counters.rechecks += 1;
      this.request();
    }, recheckSeconds * 1000);
  }

  /** Live frames may just be late: give a gap gapSyncDelayMs to fill before asking. */
  private scheduleGapSync(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      const stillMissing = [...this.logs.values()].some((log) => log.cursor === undefined || log.hasGap);
      if (!stillMissing) return;
      this.counters.gapSyncs += 1;
      this.request();
    }, this.config.gapSyncDelayMs);
  }

  private logFor(conversationId: string): ConversationLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = new ConversationLog(this.cursors.get(conversationId));
      this.logs.set(conversationId, log);
    }
    return log;
  }
}
