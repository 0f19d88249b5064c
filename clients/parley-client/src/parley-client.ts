import { summaryAfterTransfer } from './transfer-outcome';
import {
  newStats,
  resolveSettings,
  type ClientStats,
  type Log,
  type ParleyClientOptions,
  type ParleyEvents,
  type PendingSend,
} from './client-types';
import { ConnectionSupervisor } from './connection-supervisor';
import type { ConnectionState } from './connection-state';
import { ConversationSync } from './conversation-sync';
import { CursorStore } from './cursor-store';
import { TypedEmitter, type Listener } from './emitter';
import { ParleyClientError } from './errors';
import { NoteBook, type PendingNote } from './note-book';
import { Outbox, type OutboxEntry } from './outbox';
import {
  isDefinitiveError,
  parseServerFrame,
  type AgentStatus,
  type AttachmentInfo,
  type ChatMessage,
  type ClientFrame,
  type ConversationSummary,
  type CustomerProfile,
  type VisitorContext,
  type ErrorFrame,
  type Sender,
  type ServerFrame,
  type SessionFrame,
} from './protocol';
import { SendPipeline, randomId } from './send-pipeline';
import { defaultStore } from './storage';

export type { PendingNote } from './note-book';
export type { ClientStats, ParleyClientOptions, ParleyEvents, ParleyLogger, PendingSend, SendFailure } from './client-types';

/**
 * Parley's client: one logical connection that survives any number of socket drops. See
 * clients/parley-client/README.md for the guarantees and how to use them. A facade: the
 * supervisor keeps a socket alive, the pipeline gets sends acknowledged, and sync keeps each
 * conversation complete and ordered; this class routes frames between them.
 */
export class ParleyClient {
  private readonly events: TypedEmitter<ParleyEvents>;
  private readonly supervisor: ConnectionSupervisor;
  private readonly pipeline: SendPipeline;
  private readonly sync: ConversationSync;
  private readonly counters = newStats();
  private readonly notes = new NoteBook();
  private readonly log: Log;
  private self: Sender | undefined;

  constructor(options: ParleyClientOptions) {
    const settings = resolveSettings(options, randomId);
    const log: Log = (level, message, details) => options.logger?.[level]?.(message, details);
    this.log = log;
    this.events = new TypedEmitter((event, error) =>
      log('error', 'An event listener threw', { event: String(event), error: String(error) }),
    );
    const store = options.storage ?? defaultStore();
    const namespace = options.storageNamespace ?? 'parley';
    const outbox = new Outbox(store, `${namespace}:outbox`, (problem) => log('warn', problem));
    const cursors = new CursorStore(store, `${namespace}:cursors`);
    this.supervisor = new ConnectionSupervisor(options, settings, this.counters, {
      stateChanged: (change) => this.events.emit('state', change),
      opened: () => this.sync.request(),
      data: (data) => this.onData(data),
      dropped: () => {
        this.sync.reset();
        this.pipeline.reset();
      },
      log,
    });
    this.pipeline = new SendPipeline(outbox, settings, this.counters, this.supervisor, {
      acknowledged: (entry, ack) => {
        // The server does not echo a message to the connection that sent it: the ack stands in.
        if (this.self) {
          this.sync.receive({
            conversationId: ack.conversationId,
            seq: ack.seq,
            messageId: ack.messageId,
            clientMsgId: ack.clientMsgId,
            sender: this.self,
            text: entry.text,
            ...(entry.attachment ? { attachment: entry.attachment } : {}),
            ts: ack.ts,
          });
        }
        this.events.emit('ack', ack);
      },
      failed: (failure) => this.events.emit('failed', failure),
      cursorOf: (conversationId) => this.sync.sendCursor(conversationId),
    });
    this.sync = new ConversationSync(
      cursors,
      settings,
      this.counters,
      this.supervisor,
      {
        // After (re)connecting: every unacknowledged send goes out again, oldest first, with its clientMsgId.
        caughtUp: () => {
          if (!this.supervisor.caughtUp()) return;
          this.pipeline.pump();
          this.notes.resend((frame) => this.supervisor.write(frame));
        },
        synced: (frame) => this.events.emit('synced', frame),
        ...(options.notes ? { noteCursors: () => this.notes.noteCursors() } : {}),
        delivered: (message) => this.events.emit('message', message),
      },
      new CursorStore(store, `${namespace}:reported`),
    );
  }

  // ---- public API ------------------------------------------------------------------------

  get state(): ConnectionState {
    return this.supervisor.state;
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
    this.supervisor.start();
    return ready;
  }

  /** Closes the connection for good. Unacknowledged sends stay in the (persisted) outbox for the next connect. */
  close(): void {
    this.supervisor.stop();
  }

  /** Stops listening to platform events too; use when the client is discarded. */
  dispose(): void {
    this.close();
    this.supervisor.detach();
  }

  /**
   * Sends a message. Customers may omit the conversation (their open one, or a new one).
   * The message is kept and resent with the same clientMsgId until acknowledged; the promise
   * rejects only when the server refuses it for good. Throws at once on empty or oversized text.
   */
  /** `attachment` (issue 11): an uploaded file; its details show on the sender's own copy until the server's arrive. */
  send(conversationId: string | undefined, text: string, options: { attachment?: AttachmentInfo } = {}): PendingSend {
    return this.pipeline.send(conversationId, text, options);
  }

  /** Customers: opens a conversation with a first message (acknowledged like any send). */
  start(request: { text: string; skill?: string; profile?: CustomerProfile; visitor?: VisitorContext }): PendingSend {
    return this.pipeline.start(request);
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

  /** Customers: leaves the first-line bot for a person (the conversation is queued). */
  handoff(conversationId: string): void {
    this.sendControl({ action: 'handoff', conversationId });
  }

  /** Customers: turns a waiting chat into an email ticket; nothing written is lost. */
  convertToTicket(conversationId: string, email: string, name?: string): void {
    this.sendControl({ action: 'ticket', conversationId, email, ...(name ? { name } : {}) });
  }

  /** Customers: asks for the transcript by email (to the conversation's address unless given). */
  requestTranscript(conversationId: string, email?: string): void {
    this.sendControl({ action: 'transcript', conversationId, ...(email ? { email } : {}) });
  }

  /**
   * Staff (issue 10): writes an internal note. Customers never receive notes. Resent with the
   * same clientMsgId after a reconnect until acknowledged; throws at once while not connected.
   */
  writeNote(conversationId: string, text: string): PendingNote {
    if (!this.supervisor.isReady()) throw new ParleyClientError('not_connected', `cannot send note while ${this.supervisor.state}`);
    return this.notes.write(conversationId, text, randomId(), (frame) => this.supervisor.write(frame));
  }

  /** Internal notes of a conversation held on this device, in note-seq order (staff clients with `notes`). */
  notesOf(conversationId: string): ChatMessage[] {
    return this.notes.list(conversationId);
  }

  /** The conversation's messages on this device: ordered by seq, each once, no gaps. */
  messages(conversationId: string): readonly ChatMessage[] {
    return this.sync.messages(conversationId);
  }

  conversations(): ConversationSummary[] {
    return this.sync.conversations();
  }

  /** Highest seq this device holds with nothing missing before it. */
  cursor(conversationId: string): number | undefined {
    return this.sync.cursor(conversationId);
  }

  /** Sends accepted and not yet acknowledged or failed. */
  pending(): OutboxEntry[] {
    return this.pipeline.pending();
  }

  stats(): ClientStats {
    return { ...this.counters };
  }

  /** Asks the server for everything after this device's cursors (done on every connect anyway). */
  resync(): void {
    this.sync.request();
  }

  // ---- routing -------------------------------------------------------------------------------

  private whenReady(): Promise<void> {
    if (this.supervisor.state === 'ready') return Promise.resolve();
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

  private sendControl(frame: ClientFrame): void {
    if (!this.supervisor.isReady()) {
      throw new ParleyClientError('not_connected', `cannot send ${frame.action} while ${this.supervisor.state}`);
    }
    this.supervisor.write(frame);
  }

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
        this.onSession(frame);
        break;
      case 'synced':
        this.sync.onSynced(frame);
        break;
      case 'message': {
        const { type: _type, ...message } = frame;
        this.sync.receive(message);
        break;
      }
      case 'ack':
        if (frame.internal) {
          const own = this.notes.onAck(frame, this.self);
          if (own && this.notes.receive(own)) this.events.emit('note', own);
        } else {
          this.pipeline.onAck(frame);
        }
        break;
      case 'note': {
        const { type: _type, ...note } = frame;
        if (this.notes.receive(note)) this.events.emit('note', note);
        break;
      }
      case 'error':
        this.onError(frame);
        break;
      case 'pong':
        this.supervisor.pong();
        this.pipeline.onPong(frame);
        this.events.emit('pong', frame);
        break;
      case 'conversation':
        this.sync.remember(frame.conversation);
        this.events.emit('conversation', frame.conversation);
        break;
      case 'assigned':
        this.sync.patch(frame.conversationId, { status: 'assigned', agent: frame.agent });
        this.events.emit('assigned', frame);
        break;
      case 'closed':
        this.sync.patch(frame.conversationId, { status: 'closed' });
        this.events.emit('closed', frame);
        break;
      case 'queued':
        this.sync.patch(frame.conversationId, { status: 'queued' });
        this.events.emit('queued', frame);
        break;
      case 'transferred':
        this.sync.update(frame.conversationId, (summary) => summaryAfterTransfer(summary, frame));
        this.events.emit('transferred', frame);
        break;
      case 'typing':
        this.events.emit('typing', frame);
        break;
      case 'read':
        this.events.emit('read', frame);
        break;
      case 'status':
        this.events.emit('status', frame);
        break;
      case 'rated':
        this.events.emit('rated', frame);
        break;
      case 'availability':
        this.events.emit('availability', frame);
        break;
      case 'offer':
        this.sync.patch(frame.conversationId, { offer: frame.offer });
        this.events.emit('offer', frame);
        break;
      case 'transcript':
        this.events.emit('transcript', frame);
        break;
    }
  }

  private onSession(frame: SessionFrame): void {
    this.self = frame.user;
    this.supervisor.setHeartbeatSeconds(frame.heartbeatSeconds);
    this.sync.onSession(frame);
    this.events.emit('session', frame);
  }

  private onError(frame: ErrorFrame): void {
    if (this.pipeline.onError(frame)) return;
    if (this.notes.onError(frame)) {
      if (isDefinitiveError(frame.code)) this.events.emit('error', frame);
      return;
    }
    if (frame.action === 'sync') {
      this.sync.onSyncError(frame);
      return;
    }
    // Listeners hear it first, so a token cache can drop the refused token before the reconnect asks for one.
    this.events.emit('error', frame);
    if (frame.code === 'unauthorized') this.supervisor.reconnectForToken();
  }
}
