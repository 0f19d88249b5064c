import { ConflictError, ForbiddenError } from './errors';
import type { CustomerAttrs, VisitorContext } from './customer-context';
import type { User } from './identity';

/** `bot`: a first-line bot answers, not yet queued; `ticket`: an offline ticket answered by email (issue 9). */
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed' | 'ticket';
export type TicketState = 'open' | 'pending' | 'solved';
/** Why the system closed a conversation (the `closed` frame's `reason`); absent when a person closed it. */
export type CloseReason = 'abandoned';

/** Why a waiting customer is offered a ticket (the `offer` frame's `reason`). */
export type TicketOfferReason = 'wait' | 'closed' | 'no_agent';

/** The ticket part of a conversation (domain/ticket.ts holds the rules). */
export interface TicketInfo {
  readonly state: TicketState;
  /** Where replies are emailed. */
  readonly email: string;
  readonly subject: string;
  /** The secret in `reply+<token>@` that threads an emailed reply back (services/ticket-replies.ts). */
  readonly replyToken: string;
  readonly assignee?: Participant;
  /** Message-ID of the customer's last emailed reply: the next mail answers it (In-Reply-To). */
  readonly lastInboundMessageId?: string;
  /** The seq of an agent reply that is stored but could not be emailed (cleared once one is sent). */
  readonly unsentReplySeq?: number;
  /** Newest activity (creation, a reply either way, a change of state or assignee): orders the lists. */
  readonly activityAt: string;
}

export interface Participant {
  readonly id: string;
  readonly name: string;
}

export interface Rating {
  readonly score: number;
  readonly comment?: string;
}

/** A conversation as stored: the routing state plus what clients see of it. */
export interface Conversation {
  readonly id: string;
  readonly status: ConversationStatus;
  readonly customer: Participant & { readonly email?: string };
  readonly agent?: Participant;
  readonly skill: string;
  /** Highest seq known to be stored (may briefly lag behind the message items). */
  readonly lastSeq: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When it (last) entered the queue; orders the queue. */
  readonly queuedAt?: string;
  readonly assignedAt?: string;
  /** When an agent was first assigned (kept across requeues): time to assignment ends here. */
  readonly firstAssignedAt?: string;
  readonly closedAt?: string;
  readonly closedBy?: { readonly id: string; readonly role: string };
  /** The visitor's BCP 47 locale from `start.visitor.locale`: the bot answers in it. */
  readonly locale?: string;
  /** Where the chat started (page, referrer, browser, zone): a snapshot of `start.visitor` (issue 10). */
  readonly visitor?: VisitorContext;
  /** The identified customer's `attrs` claim when the conversation opened (issue 10). */
  readonly attrs?: CustomerAttrs;
  readonly rating?: Rating;
  /** Set once the customer was told that nobody serving the skill is online. */
  readonly noAgentNoticeAt?: string;
  /**
   * Who spoke last on each side (seq and time), kept by the message write itself: the
   * abandoned-chat sweep reads them (domain/abandonment.ts). Staff messages count as the agent's.
   */
  readonly lastCustomerSeq?: number;
  readonly lastCustomerAt?: string;
  readonly lastAgentSeq?: number;
  readonly lastAgentAt?: string;
  /** The "still there?" notice: the agent message (seq) it followed up, and when it was sent. */
  readonly abandonNoticeSeq?: number;
  readonly abandonNoticeAt?: string;
  /** Set when the system closed it (e.g. `abandoned`). */
  readonly closeReason?: CloseReason;
  /** Bumped by every routing transition (see domain/routing-claims.ts); absent means 0. */
  readonly epoch?: number;
  /** Set while status is `ticket` (domain/ticket.ts). */
  readonly ticket?: TicketInfo;
  /** When the waiting customer was offered a ticket, per reason (each at most once). */
  readonly offers?: Partial<Record<TicketOfferReason, string>>;
}

/** The protocol's ConversationSummary. */
export interface ConversationSummary {
  id: string;
  status: ConversationStatus;
  customer: { id: string; name: string };
  agent?: { id: string; name: string };
  skill?: string;
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
  /** Extension (issue 9): set while status is `ticket`. */
  ticket?: { state: TicketState; email: string };
  /** Extension (issue 9): the customer may turn this waiting chat into a ticket (see the `offer` frame). */
  offer?: 'ticket';
}

export function toSummary(conversation: Conversation): ConversationSummary {
  return {
    id: conversation.id,
    status: conversation.status,
    customer: { id: conversation.customer.id, name: conversation.customer.name },
    ...(conversation.agent ? { agent: { id: conversation.agent.id, name: conversation.agent.name } } : {}),
    skill: conversation.skill,
    lastSeq: conversation.lastSeq,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    ...(conversation.status === 'ticket' && conversation.ticket
      ? { ticket: { state: conversation.ticket.state, email: conversation.ticket.email } }
      : {}),
    ...((conversation.status === 'queued' || conversation.status === 'bot') && Object.keys(conversation.offers ?? {}).length > 0
      ? { offer: 'ticket' as const }
      : {}),
  };
}

/** The users who take part: they receive every event of the conversation. */
export function participantIds(conversation: Conversation): string[] {
  return conversation.agent ? [conversation.customer.id, conversation.agent.id] : [conversation.customer.id];
}

export function isParticipant(user: Pick<User, 'id'>, conversation: Conversation): boolean {
  return participantIds(conversation).includes(user.id);
}

/** Who may see a conversation and its history: its participants, and supervisors/admins. */
export function canView(user: User, conversation: Conversation): boolean {
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  if (user.role === 'customer') return conversation.customer.id === user.id;
  return conversation.agent?.id === user.id;
}

/** Who may write into it (messages, typing, read, close): its participants and supervisors. */
export function canParticipate(user: User, conversation: Conversation): boolean {
  if (user.role === 'supervisor') return true;
  return isParticipant(user, conversation) && user.role !== 'admin';
}

export function assertCanView(user: User, conversation: Conversation): void {
  if (!canView(user, conversation)) throw new ForbiddenError('You are not a participant of this conversation');
}

export function assertCanParticipate(user: User, conversation: Conversation): void {
  if (canParticipate(user, conversation)) return;
  throw new ForbiddenError(notParticipatingReason(user, conversation));
}

/**
 * Why a user may not write into a conversation. An agent it was taken from (requeued when its
 * presence lapsed, or transferred) hears where it went, so a refused reply is never a mystery.
 */
export function notParticipatingReason(user: User, conversation: Conversation): string {
  if (user.role !== 'agent') return 'You are not a participant of this conversation';
  if (conversation.status === 'queued') {
    return 'This conversation is no longer assigned to you: it went back to the queue for the next available agent';
  }
  if (conversation.status === 'assigned' && conversation.agent) {
    return `This conversation is now assigned to ${conversation.agent.name}`;
  }
  return 'This conversation is not assigned to you';
}

export function assertOpen(conversation: Conversation): void {
  if (conversation.status === 'closed') throw new ConflictError('The conversation is closed');
}

/** Everyone allowed to close it; a supervisor may close any open conversation. */
export function assertCanClose(user: User, conversation: Conversation): void {
  assertCanParticipate(user, conversation);
}

export function assertCanTransfer(user: User, conversation: Conversation): void {
  if (user.role === 'supervisor') return;
  if (user.role !== 'agent') throw new ForbiddenError('Only agents and supervisors can transfer conversations');
  if (conversation.agent?.id !== user.id) throw new ForbiddenError('Only the assigned agent can transfer this conversation');
}

export function assertCanRate(user: User, conversation: Conversation): void {
  if (user.role !== 'customer' || conversation.customer.id !== user.id) {
    throw new ForbiddenError('Only the customer of this conversation can rate it');
  }
}
