import type { Conversation, Rating } from '../domain/conversation';
import type { CustomerAttrs, VisitorContext } from '../domain/customer-context';
import type { Message, MessageDraft } from '../domain/message';
import type { Participant } from '../domain/conversation';
import type { UserRef } from '../domain/identity';

export interface NewConversation {
  readonly id: string;
  readonly customer: Participant & { readonly email?: string };
  readonly skill: string;
  readonly now: string;
  /** `bot` when a first-line bot answers first (not queued); `queued` when absent. */
  readonly status?: 'bot' | 'queued';
  /** The visitor's locale (start.visitor.locale). */
  readonly locale?: string;
  /** Where the chat started (start.visitor's page, referrer, browser, zone). */
  readonly visitor?: VisitorContext;
  /** The identified customer's attributes (their token's `attrs` claim). */
  readonly attrs?: CustomerAttrs;
  /**
   * The start's text, stored as message 1 with the conversation (sent at `now`): seq 1 is
   * kept for it, so no other writer takes it, and the conversation item announces it.
   */
  readonly firstMessage?: FirstMessage;
}

/** A start's first message, carried by the candidate (and its OPEN pointer) until it is stored. */
export interface FirstMessage {
  readonly messageId: string;
  readonly clientMsgId: string;
  readonly sender: UserRef;
  readonly text: string;
}

/** What `openFor` answers; `firstMessage` as stored when this call created the conversation with it. */
export interface Opened {
  readonly conversation: Conversation;
  readonly created: boolean;
  readonly firstMessage?: Message;
}

export interface CustomerConversationPage {
  /** Newest first. */
  readonly conversations: Conversation[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  readonly next?: string;
}

export interface AppendResult {
  readonly message: Message;
  /** True when the clientMsgId was seen before: nothing new was stored. */
  readonly duplicate: boolean;
  /** True when an earlier attempt had stored the message but had not finished (re-announce it). */
  readonly resumed: boolean;
}

export interface RequeueOptions {
  /** Only if the conversation is still at this epoch. */
  readonly fromEpoch?: number;
  /** Where it sorts in the queue: an earlier time puts it ahead (default: now, the back). */
  readonly queuedAt?: string;
}

export interface MessagePage {
  readonly messages: Message[];
  /** True when more messages follow the page. */
  readonly more: boolean;
}

/** Conversations, their messages and read cursors. Every write is a single-item conditional write. */
/** A page from the head of a skill's queue (see listQueuedPage). */
export interface QueuedPage {
  readonly conversations: Conversation[];
  readonly more: boolean;
}

export interface ConversationStore {
  get(conversationId: string): Promise<Conversation | undefined>;
  /** Several conversations by id in batched reads (at most 100 per read); unknown ids are left out. */
  getMany(conversationIds: readonly string[]): Promise<Conversation[]>;

  /** The customer's open conversation, if any (repairing a half-created one). */
  findOpen(customerId: string): Promise<Conversation | undefined>;
  /**
   * Creates the customer's open conversation unless one exists; either way returns the open
   * conversation and whether this call created it (with the candidate's first message, if any).
   */
  openFor(candidate: NewConversation): Promise<Opened>;

  listForCustomer(customerId: string, limit: number): Promise<Conversation[]>;
  /** A page of the customer's conversations and tickets, newest first, older than the conversation id `before`. */
  pageForCustomer(customerId: string, limit: number, before?: string): Promise<CustomerConversationPage>;
  listForAgent(agentId: string, limit: number): Promise<Conversation[]>;
  listByStatus(status: Conversation['status'], limit: number): Promise<Conversation[]>;
  /** Waiting conversations of a skill, longest-waiting first. */
  listQueued(skill: string, limit: number): Promise<Conversation[]>;
  /**
   * The same from the head of the queue, telling whether more may follow: `more` is false
   * when the index returned fewer than `limit` entries (the whole queue was read).
   */
  listQueuedPage(skill: string, limit: number): Promise<QueuedPage>;
  /** How many conversations of the skill wait ahead of this one. */
  countAhead(conversation: Conversation): Promise<number>;

  /** Conversations assigned to the agent now (reads the whole index partition, page by page). */
  listAssignedTo(agentId: string): Promise<Conversation[]>;
  /** Every conversation assigned now, across agents (reconciliation). */
  listAllAssigned(): Promise<Conversation[]>;
  /** How many conversations wait in the skill's queue. */
  countQueued(skill: string): Promise<number>;

  /**
   * queued -> assigned, only if still queued (and, with `fromEpoch`, still at that epoch).
   * Returns undefined when that changed. Every transition bumps the epoch by one
   * (domain/routing-claims.ts).
   */
  assign(conversationId: string, agent: Participant, now: string, fromEpoch?: number): Promise<Conversation | undefined>;
  /**
   * Back into a skill's queue: from assigned (only if still assigned to `fromAgentId`) or,
   * with `fromAgentId` null, from queued (changing its skill). Undefined when that changed.
   */
  requeue(
    conversationId: string,
    fromAgentId: string | null,
    skill: string,
    now: string,
    options?: RequeueOptions,
  ): Promise<Conversation | undefined>;
  /**
   * A transfer to `skill`'s queue (the same move as requeue) in one conditional write that also
   * authorizes: with `byAgentId`, only from assigned to that agent; without (a supervisor), from
   * queued or assigned to anyone. The conversation before and after, or undefined when it was
   * not one of those or does not exist (the caller then reads it to say why).
   */
  transferToQueue(
    conversationId: string,
    skill: string,
    now: string,
    byAgentId: string | undefined,
  ): Promise<{ before: Conversation; moved: Conversation } | undefined>;
  /** assigned to `fromAgentId` -> assigned to `to`. */
  reassign(
    conversationId: string,
    fromAgentId: string,
    to: Participant,
    now: string,
    fromEpoch?: number,
  ): Promise<Conversation | undefined>;
  /** bot|queued|assigned -> closed. Returns undefined when it was already closed. */
  close(conversationId: string, by: { id: string; role: string }, now: string): Promise<Conversation | undefined>;
  /**
   * The same close in one conditional write that also checks who closes: `participantId` must
   * be the customer or the assigned agent (undefined: anyone, a supervisor). The conversation
   * before and after, or undefined when it was not open, not theirs, or does not exist (the
   * caller then reads it to say why).
   */
  closeAsParticipant(
    conversationId: string,
    by: { id: string; role: string },
    now: string,
    participantId: string | undefined,
  ): Promise<{ before: Conversation; closed: Conversation } | undefined>;
  /**
   * queued -> bot, only if still queued at `fromEpoch` with no message stored (a first
   * question the bot answers). Undefined when that changed.
   */
  queuedToBot(conversationId: string, now: string, fromEpoch: number): Promise<Conversation | undefined>;
  /** bot -> queued at the back of its skill's queue, only if still `bot` (in `skill`). Undefined when that changed. */
  botToQueue(conversationId: string, skill: string, now: string): Promise<Conversation | undefined>;
  /** Every conversation in a status that holds no agent (`bot`), page by page (sweeps). */
  listAllWithStatus(status: 'bot'): Promise<Conversation[]>;
  /**
   * bot -> closed by the system with reason `abandoned`, only if still `bot` and not updated
   * after `idleSince` (a message since then keeps it open). Undefined when that changed.
   */
  closeIdleBot(conversationId: string, idleSince: string, now: string): Promise<Conversation | undefined>;
  rate(conversationId: string, rating: Rating, now: string): Promise<void>;
  /**
   * Records the "still there?" notice for the agent message `agentSeq` (at `noticeAt`), only if
   * the conversation is assigned, that is still the agent's last message, the customer has
   * written nothing since, and it was not recorded yet. False otherwise.
   */
  markAbandonNotice(conversationId: string, agentSeq: number, noticeAt: string): Promise<boolean>;
  /**
   * assigned -> closed by the system with reason `abandoned`, only if the notice for `agentSeq`
   * was recorded and neither side has written since (so a customer reply cancels it).
   * Undefined when that changed.
   */
  closeAbandoned(conversationId: string, agentSeq: number, now: string): Promise<Conversation | undefined>;
  /** Records that the customer was told no agent is online; false if already recorded. */
  markNoAgentNotice(conversationId: string, now: string): Promise<boolean>;

  /** Stores a message with the next seq, idempotent by (sender, clientMsgId). */
  appendMessage(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult>;
  /**
   * The message a sender stored under a clientMsgId, if it was stored. `cursor` (issue 14): the
   * sender's cursor from its first send, when it sent one (no clientMsgId record was kept).
   */
  findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string, cursor?: number): Promise<Message | undefined>;
  /** Messages with seq > afterSeq, in seq order. */
  listMessages(conversationId: string, afterSeq: number, limit: number): Promise<MessagePage>;
  hasMessage(conversationId: string, seq: number): Promise<boolean>;

  getReadCursor(conversationId: string, userId: string): Promise<number | undefined>;
  /** The user's read cursors of several conversations in batched reads; conversations without one are left out. */
  getReadCursors(conversationIds: readonly string[], userId: string): Promise<Map<string, number>>;
  /** Moves the cursor forward only; returns false when it was already at or past seq. */
  advanceReadCursor(conversationId: string, userId: string, seq: number): Promise<boolean>;
}
