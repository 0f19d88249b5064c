import { REPLY_MARKER } from './mail';
import type { Conversation, ConversationStatus, TicketInfo, TicketOfferReason, TicketState } from './conversation';

export type { TicketInfo, TicketOfferReason } from './conversation';
import { BadRequestError, ConflictError, ForbiddenError } from './errors';
import type { User } from './identity';
import type { Message } from './message';

/**
 * Offline tickets (issue 9): a conversation in status `ticket`, answered by email. It keeps
 * the id and every message it had as a chat. Pure rules only: states, who may do what, the
 * mail's subject and quoted thread, which offers are due.
 */

export const TICKET_STATES = ['open', 'pending', 'solved'] as const satisfies readonly TicketState[];

/** The HTTP API's TicketSummary (docs/tickets.md). */
export interface TicketSummary {
  id: string;
  skill: string;
  state: TicketState;
  customer: { id: string; name: string; email: string; emailStatus?: 'ok' | 'bounced' | 'complained' };
  assignee?: { id: string; name: string };
  subject: string;
  lastSeq: number;
  createdAt: string;
  updatedAt: string;
  /** Extension: an agent reply with this seq is stored but was not emailed (the console shows "not emailed"). */
  unsentReplySeq?: number;
}

/** The reply token: 256 random bits as lowercase hex (case-proof in an email address's local part). */
export const REPLY_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
export const MAX_SUBJECT_CHARS = 120;
/** Messages quoted under a reply in its email, newest first. */
export const QUOTED_MESSAGES = 20;

export type TicketEvent =
  | { readonly kind: 'agent-reply' }
  | { readonly kind: 'customer-reply' }
  | { readonly kind: 'set'; readonly to: TicketState };

/**
 * open -> pending when an agent replies (the customer's turn); pending or solved -> open when
 * the customer replies; staff may set any state. An agent reply to a solved ticket makes it
 * pending too: the agent asked something again.
 */
export function nextTicketState(_current: TicketState, event: TicketEvent): TicketState {
  switch (event.kind) {
    case 'agent-reply':
      return 'pending';
    case 'customer-reply':
      return 'open';
    case 'set':
      return event.to;
  }
}

/** Statuses a chat may turn into a ticket from: waiting for a person, or with the first-line bot. */
export const CONVERTIBLE_STATUSES: readonly ConversationStatus[] = ['queued', 'bot'];

/** Whether `convert` must do anything: false when it already is a ticket; throws when it cannot become one. */
export function assertConvertible(conversation: Conversation): boolean {
  if (conversation.status === 'ticket') return false;
  if (!CONVERTIBLE_STATUSES.includes(conversation.status)) {
    throw new ConflictError(`A ${conversation.status} conversation cannot become a ticket; only a waiting chat can`);
  }
  return true;
}

function isTicket(conversation: Conversation): conversation is Conversation & { ticket: TicketInfo } {
  return conversation.status === 'ticket' && conversation.ticket !== undefined;
}

/**
 * Who may see a ticket: its customer; agents serving its skill or assigned to it;
 * supervisors and admins, every ticket.
 */
export function canSeeTicket(user: User, conversation: Conversation): boolean {
  if (!isTicket(conversation)) return false;
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  if (user.role === 'customer') return conversation.customer.id === user.id;
  return user.skills.includes(conversation.skill) || conversation.ticket.assignee?.id === user.id;
}

/** Who may work a ticket (reply, assign, change its state): the staff who may see it. */
export function canWorkTicket(user: User, conversation: Conversation): boolean {
  return user.role !== 'customer' && canSeeTicket(user, conversation);
}

export function assertCanSeeTicket(user: User, conversation: Conversation): asserts conversation is Conversation & { ticket: TicketInfo } {
  if (!canSeeTicket(user, conversation)) throw new ForbiddenError('You may not see this ticket');
}

export function assertCanWorkTicket(user: User, conversation: Conversation): asserts conversation is Conversation & { ticket: TicketInfo } {
  if (!canWorkTicket(user, conversation)) throw new ForbiddenError('Only staff serving this ticket may change it');
}

/** Which skill's ticket list a caller may read: agents their skills; supervisors and admins any. */
export function assertCanListTickets(user: User, skill: string): void {
  if (user.role === 'customer') throw new ForbiddenError('Only staff list tickets');
  if (user.role === 'agent' && !user.skills.includes(skill)) throw new ForbiddenError(`You do not serve the skill ${skill}`);
}

/** Whom a ticket may be assigned to: an active staff account; an agent only if it serves the skill. */
export function assertAssignable(
  assignee: { id: string; role: string; skills: readonly string[]; disabled?: boolean | undefined } | undefined,
  skill: string,
): void {
  if (!assignee || assignee.disabled) throw new BadRequestError('assigneeId names no active staff account');
  if (assignee.role === 'agent' && !assignee.skills.includes(skill)) {
    throw new BadRequestError(`The agent ${assignee.id} does not serve the skill ${skill}`);
  }
}

/** A ticket's subject from the customer's first words: the first line, shortened. */
export function ticketSubject(firstText: string | undefined, fallback = 'Your request'): string {
  const line =
    (firstText ?? '')
      .split(/\r?\n/)
      .find((candidate) => candidate.trim().length > 0)
      ?.trim() ?? '';
  if (line.length === 0) return fallback;
  const chars = [...line];
  return chars.length <= MAX_SUBJECT_CHARS ? line : `${chars.slice(0, MAX_SUBJECT_CHARS - 1).join('')}…`;
}

/** The short id mail subjects carry (`[#ABCD1234]`): the end of the ULID, its random part. */
export function shortTicketId(conversationId: string): string {
  return conversationId.slice(-8).toUpperCase();
}

export function replySubject(subject: string, conversationId: string): string {
  return `Re: ${subject} [#${shortTicketId(conversationId)}]`;
}

/**
 * A reply's email text: the reply, then the thread before it, newest first, each message
 * quoted under who wrote it and when.
 */
export function replyMailText(reply: Message, earlier: readonly Message[]): string {
  const thread = [...earlier]
    .filter((message) => message.seq !== reply.seq)
    .sort((a, b) => b.seq - a.seq)
    .slice(0, QUOTED_MESSAGES)
    .map((message) => {
      const quoted = message.text
        .split(/\r?\n/)
        .map((line) => `> ${line}`)
        .join('\n');
      return `On ${message.ts}, ${message.sender.name} wrote:\n${quoted}`;
    });
  // The marker on top: the inbound parser keeps only what the customer writes above it.
  const body = thread.length === 0 ? reply.text : `${reply.text}\n\n${thread.join('\n\n')}`;
  return `${REPLY_MARKER}\n\n${body}`;
}

export function toTicketSummary(conversation: Conversation & { ticket: TicketInfo }): TicketSummary {
  const { ticket } = conversation;
  return {
    id: conversation.id,
    skill: conversation.skill,
    state: ticket.state,
    customer: { id: conversation.customer.id, name: conversation.customer.name, email: ticket.email },
    ...(ticket.assignee ? { assignee: { id: ticket.assignee.id, name: ticket.assignee.name } } : {}),
    subject: ticket.subject,
    lastSeq: conversation.lastSeq,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    ...(ticket.unsentReplySeq !== undefined ? { unsentReplySeq: ticket.unsentReplySeq } : {}),
  };
}

/** Who hears of a ticket's new messages live: its customer and its assignee. */
export function ticketAudience(conversation: Conversation): string[] {
  const assignee = conversation.ticket?.assignee?.id;
  return assignee ? [conversation.customer.id, assignee] : [conversation.customer.id];
}

/**
 * The ticket offers due to a waiting conversation, each once per conversation: `wait` once it
 * has waited longer than the limit, `closed` while its team is closed.
 */
export function offersDue(
  conversation: Conversation,
  situation: { readonly now: Date; readonly waitLimitSeconds: number; readonly teamClosed: boolean },
): TicketOfferReason[] {
  if (conversation.status !== 'queued') return [];
  const offered = conversation.offers ?? {};
  const due: TicketOfferReason[] = [];
  const queuedAt = conversation.queuedAt ? Date.parse(conversation.queuedAt) : Number.NaN;
  if (!offered.wait && Number.isFinite(queuedAt) && situation.now.getTime() - queuedAt > situation.waitLimitSeconds * 1000) {
    due.push('wait');
  }
  if (!offered.closed && situation.teamClosed) due.push('closed');
  return due;
}
