import { AsyncLocalStorage } from 'node:async_hooks';
import { customerSilentSince, sideOf } from '../../../functions/domain/abandonment';
import type { Conversation, Participant, Rating } from '../../../functions/domain/conversation';
import { SYSTEM_SENDER } from '../../../functions/domain/identity';
import type { Message, MessageDraft } from '../../../functions/domain/message';
import { epochOf } from '../../../functions/domain/routing-claims';
import type {
  AppendResult,
  ConversationStore,
  MessagePage,
  NewConversation,
  RequeueOptions,
} from '../../../functions/ports/conversation-store';
import { queueKey } from '../../../functions/services/routing';

/** A simulated crash: thrown by `assign` after the router's claim, before the write. */
export class CrashError extends Error {
  override readonly name = 'CrashError';
}

/**
 * What a router run did: per skill, the logical time it last listed the queue; and the
 * conversations it claimed an agent for. A run claims heads in queue order and writes several
 * at once (services/queue-drain.ts DECISIONS_IN_FLIGHT), so one it claimed may still wait
 * while a later head's write lands first: those writes count as made together.
 */
export const runContext = new AsyncLocalStorage<{ listedAt: Map<string, number>; claimed: Set<string> }>();

export interface Violation {
  readonly kind: string;
  readonly detail: string;
}

/**
 * In-memory ConversationStore with DynamoDB's single-item conditional writes. It also
 * watches FIFO: an assignment must not skip an older conversation of the same skill that was
 * already waiting when the assigning run read the queue.
 */
export class FakeConversationStore implements ConversationStore {
  readonly items = new Map<string, Conversation>();
  /** Logical time each conversation (re)entered its queue. */
  private readonly queuedSince = new Map<string, number>();
  private readonly messages = new Map<string, Message[]>();
  private readonly openPointers = new Map<string, string>();
  readonly assignTransitions = new Map<string, number>();
  readonly violations: Violation[] = [];
  /** Assignments checked for FIFO (those made by a run that listed the queue). */
  fifoChecks = 0;
  crashNextAssign = false;
  private tick = 0;

  constructor(private readonly pause: () => Promise<void>) {}

  private step(): number {
    return ++this.tick;
  }

  private save(next: Conversation, previous?: Conversation): Conversation {
    const bumped = { ...next, epoch: epochOf(previous ?? next) + (previous ? 1 : 0) };
    if (bumped.status === 'queued' && (previous?.status !== 'queued' || previous.skill !== bumped.skill)) {
      this.queuedSince.set(bumped.id, this.step());
    }
    this.items.set(bumped.id, bumped);
    return bumped;
  }

  async get(conversationId: string): Promise<Conversation | undefined> {
    await this.pause();
    return this.items.get(conversationId);
  }

  async getMany(conversationIds: readonly string[]): Promise<Conversation[]> {
    await this.pause();
    return conversationIds.flatMap((id) => this.items.get(id) ?? []);
  }

  async findOpen(customerId: string): Promise<Conversation | undefined> {
    await this.pause();
    const id = this.openPointers.get(customerId);
    const conversation = id ? this.items.get(id) : undefined;
    return conversation && conversation.status !== 'closed' ? conversation : undefined;
  }

  async openFor(candidate: NewConversation): Promise<{ conversation: Conversation; created: boolean }> {
    await this.pause();
    const id = this.openPointers.get(candidate.customer.id);
    const open = id ? this.items.get(id) : undefined;
    if (open && open.status !== 'closed') return { conversation: open, created: false };
    const status = candidate.status ?? 'queued';
    const conversation = this.save({
      id: candidate.id,
      status,
      customer: candidate.customer,
      skill: candidate.skill,
      lastSeq: 0,
      createdAt: candidate.now,
      updatedAt: candidate.now,
      ...(status === 'queued' ? { queuedAt: candidate.now } : {}),
      ...(candidate.locale ? { locale: candidate.locale } : {}),
    });
    this.openPointers.set(candidate.customer.id, candidate.id);
    return { conversation, created: true };
  }

  async listForCustomer(customerId: string): Promise<Conversation[]> {
    await this.pause();
    return [...this.items.values()].filter((c) => c.customer.id === customerId);
  }

  async pageForCustomer(customerId: string, limit: number, before?: string): Promise<{ conversations: Conversation[]; next?: string }> {
    const newestFirst = (await this.listForCustomer(customerId))
      .filter((c) => before === undefined || c.id < before)
      .sort((a, b) => b.id.localeCompare(a.id));
    const page = newestFirst.slice(0, limit);
    return { conversations: page, ...(newestFirst.length > limit ? { next: page.at(-1)!.id } : {}) };
  }

  async listForAgent(agentId: string): Promise<Conversation[]> {
    await this.pause();
    return [...this.items.values()].filter((c) => c.agent?.id === agentId);
  }

  async listByStatus(status: Conversation['status'], limit: number): Promise<Conversation[]> {
    await this.pause();
    return [...this.items.values()].filter((c) => c.status === status).slice(0, limit);
  }

  private queued(skill: string): Conversation[] {
    return [...this.items.values()]
      .filter((c) => c.status === 'queued' && c.skill === skill)
      .sort((a, b) => (queueKey(a) < queueKey(b) ? -1 : 1));
  }

  async listQueued(skill: string, limit: number): Promise<Conversation[]> {
    await this.pause();
    runContext.getStore()?.listedAt.set(skill, this.step());
    return this.queued(skill).slice(0, limit);
  }

  async listQueuedPage(skill: string, limit: number): Promise<{ conversations: Conversation[]; more: boolean }> {
    const conversations = await this.listQueued(skill, limit);
    return { conversations, more: conversations.length >= limit };
  }

  async countAhead(conversation: Conversation): Promise<number> {
    await this.pause();
    return this.queued(conversation.skill).filter((c) => queueKey(c) < queueKey(conversation)).length;
  }

  async listAssignedTo(agentId: string): Promise<Conversation[]> {
    await this.pause();
    return [...this.items.values()].filter((c) => c.status === 'assigned' && c.agent?.id === agentId);
  }

  async listAllAssigned(): Promise<Conversation[]> {
    await this.pause();
    return [...this.items.values()].filter((c) => c.status === 'assigned');
  }

  async countQueued(skill: string): Promise<number> {
    await this.pause();
    return this.queued(skill).length;
  }

  async assign(conversationId: string, agent: Participant, now: string, fromEpoch?: number): Promise<Conversation | undefined> {
    await this.pause();
    if (this.crashNextAssign) {
      this.crashNextAssign = false;
      throw new CrashError('router crashed between its claim and its write');
    }
    const current = this.items.get(conversationId);
    if (current?.status !== 'queued' || (fromEpoch !== undefined && epochOf(current) !== fromEpoch)) return undefined;
    this.checkFifo(current);
    this.assignTransitions.set(conversationId, (this.assignTransitions.get(conversationId) ?? 0) + 1);
    const { queuedAt: _queuedAt, noAgentNoticeAt: _notice, ...rest } = current;
    return this.save(
      {
        ...rest,
        queuedAt: current.queuedAt!,
        status: 'assigned',
        agent,
        assignedAt: now,
        firstAssignedAt: current.firstAssignedAt ?? now,
        updatedAt: now,
      },
      current,
    );
  }

  private checkFifo(conversation: Conversation): void {
    const listedAt = runContext.getStore()?.listedAt.get(conversation.skill);
    if (listedAt === undefined) return;
    this.fifoChecks++;
    const claimed = runContext.getStore()?.claimed;
    const skipped = this.queued(conversation.skill).find(
      (other) =>
        queueKey(other) < queueKey(conversation) && (this.queuedSince.get(other.id) ?? Infinity) < listedAt && !claimed?.has(other.id),
    );
    if (skipped) this.violations.push({ kind: 'fifo', detail: `${conversation.id} assigned while ${skipped.id} waited ahead` });
  }

  async requeue(
    conversationId: string,
    fromAgentId: string | null,
    skill: string,
    now: string,
    options: RequeueOptions = {},
  ): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!current) return undefined;
    if (options.fromEpoch !== undefined && epochOf(current) !== options.fromEpoch) return undefined;
    const matches = fromAgentId === null ? current.status === 'queued' : current.status === 'assigned' && current.agent?.id === fromAgentId;
    if (!matches) return undefined;
    const { agent: _agent, assignedAt: _assignedAt, noAgentNoticeAt: _notice, ...rest } = current;
    return this.save({ ...rest, status: 'queued', skill, queuedAt: options.queuedAt ?? now, updatedAt: now }, current);
  }

  async transferToQueue(
    conversationId: string,
    skill: string,
    now: string,
    byAgentId: string | undefined,
  ): Promise<{ before: Conversation; moved: Conversation } | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!current) return undefined;
    const matches =
      byAgentId === undefined
        ? current.status === 'queued' || current.status === 'assigned'
        : current.status === 'assigned' && current.agent?.id === byAgentId;
    if (!matches) return undefined;
    const { agent: _agent, assignedAt: _assignedAt, noAgentNoticeAt: _notice, ...rest } = current;
    return { before: current, moved: this.save({ ...rest, status: 'queued', skill, queuedAt: now, updatedAt: now }, current) };
  }

  async reassign(
    conversationId: string,
    fromAgentId: string,
    to: Participant,
    now: string,
    fromEpoch?: number,
  ): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (current?.status !== 'assigned' || current.agent?.id !== fromAgentId) return undefined;
    if (fromEpoch !== undefined && epochOf(current) !== fromEpoch) return undefined;
    return this.save({ ...current, agent: to, assignedAt: now, updatedAt: now }, current);
  }

  async close(conversationId: string, by: { id: string; role: string }, now: string): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!current || current.status === 'closed') return undefined;
    return this.save({ ...current, status: 'closed', closedAt: now, closedBy: by, updatedAt: now }, current);
  }

  async closeAsParticipant(
    conversationId: string,
    by: { id: string; role: string },
    now: string,
    participantId: string | undefined,
  ): Promise<{ before: Conversation; closed: Conversation } | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!current || current.status === 'closed' || current.status === 'ticket') return undefined;
    if (participantId !== undefined && current.customer.id !== participantId && current.agent?.id !== participantId) return undefined;
    return { before: current, closed: this.save({ ...current, status: 'closed', closedAt: now, closedBy: by, updatedAt: now }, current) };
  }

  /** The agent's message `agentSeq` is its last and the customer wrote nothing after it (the adapter's AGENT_WAITS). */
  private agentWaits(current: Conversation | undefined, agentSeq: number): current is Conversation {
    return current?.status === 'assigned' && current.lastAgentSeq === agentSeq && customerSilentSince(current, agentSeq);
  }

  async markAbandonNotice(conversationId: string, agentSeq: number, noticeAt: string): Promise<boolean> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!this.agentWaits(current, agentSeq) || current.abandonNoticeSeq === agentSeq) return false;
    this.items.set(conversationId, { ...current, abandonNoticeSeq: agentSeq, abandonNoticeAt: noticeAt });
    return true;
  }

  async closeAbandoned(conversationId: string, agentSeq: number, now: string): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!this.agentWaits(current, agentSeq) || current.abandonNoticeSeq !== agentSeq) return undefined;
    const by = { id: SYSTEM_SENDER.id, role: SYSTEM_SENDER.role };
    return this.save({ ...current, status: 'closed', closedAt: now, closedBy: by, closeReason: 'abandoned', updatedAt: now }, current);
  }

  async queuedToBot(conversationId: string, now: string, fromEpoch: number): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (current?.status !== 'queued' || current.lastSeq !== 0 || epochOf(current) !== fromEpoch) return undefined;
    const { queuedAt: _left, ...rest } = current;
    return this.save({ ...rest, status: 'bot', updatedAt: now }, current);
  }

  async botToQueue(conversationId: string, skill: string, now: string): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (current?.status !== 'bot' || current.skill !== skill) return undefined;
    return this.save({ ...current, status: 'queued', queuedAt: now, updatedAt: now }, current);
  }

  async listAllWithStatus(status: 'bot'): Promise<Conversation[]> {
    await this.pause();
    return [...this.items.values()].filter((c) => c.status === status);
  }

  async closeIdleBot(conversationId: string, idleSince: string, now: string): Promise<Conversation | undefined> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (current?.status !== 'bot' || current.updatedAt > idleSince) return undefined;
    return this.save(
      {
        ...current,
        status: 'closed',
        closedAt: now,
        closedBy: { id: 'system', role: 'system' },
        closeReason: 'abandoned',
        updatedAt: now,
      },
      current,
    );
  }

  async rate(_conversationId: string, _rating: Rating): Promise<void> {
    await this.pause();
  }

  async markNoAgentNotice(conversationId: string, now: string): Promise<boolean> {
    await this.pause();
    const current = this.items.get(conversationId);
    if (!current || current.noAgentNoticeAt) return false;
    this.items.set(conversationId, { ...current, noAgentNoticeAt: now });
    return true;
  }

  async appendMessage(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult> {
    await this.pause();
    const log = this.messages.get(conversation.id) ?? [];
    const existing = log.find((m) => m.clientMsgId === draft.clientMsgId && m.sender.id === draft.sender.id);
    if (existing) return { message: existing, duplicate: true, resumed: false };
    const message: Message = {
      conversationId: conversation.id,
      seq: log.length + 1,
      messageId: `${conversation.id}-${log.length + 1}`,
      ...(draft.clientMsgId ? { clientMsgId: draft.clientMsgId } : {}),
      sender: draft.sender,
      text: draft.text,
      ts: now,
    };
    this.messages.set(conversation.id, [...log, message]);
    const current = this.items.get(conversation.id);
    if (current) {
      // As the store's step 3 (docs/delivery.md): lastSeq follows the log, and the side's last speaker.
      const side = sideOf(draft.sender.role);
      const spoke = !side
        ? {}
        : side === 'customer'
          ? { lastCustomerSeq: message.seq, lastCustomerAt: now }
          : { lastAgentSeq: message.seq, lastAgentAt: now };
      this.items.set(current.id, { ...current, lastSeq: message.seq, updatedAt: now, ...spoke });
    }
    return { message, duplicate: false, resumed: false };
  }

  async findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string): Promise<Message | undefined> {
    return this.messages.get(conversationId)?.find((m) => m.clientMsgId === clientMsgId && m.sender.id === senderId);
  }

  async listMessages(conversationId: string, afterSeq: number, limit: number): Promise<MessagePage> {
    const all = (this.messages.get(conversationId) ?? []).filter((m) => m.seq > afterSeq);
    return { messages: all.slice(0, limit), more: all.length > limit };
  }

  async hasMessage(conversationId: string, seq: number): Promise<boolean> {
    return (this.messages.get(conversationId) ?? []).some((m) => m.seq === seq);
  }

  async getReadCursor(): Promise<number | undefined> {
    return undefined;
  }

  async getReadCursors(): Promise<Map<string, number>> {
    return new Map();
  }

  async advanceReadCursor(): Promise<boolean> {
    return true;
  }
}
