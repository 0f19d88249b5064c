import { toSummary, type Conversation, type Participant, type TicketState } from '../domain/conversation';
import { withinReannounceWindow } from '../domain/announcements';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { type User, userRef } from '../domain/identity';
import { type Message, validateText } from '../domain/message';
import { MailSuppressedError } from '../domain/mail';
import {
  assertAssignable,
  assertCanListTickets,
  assertCanSeeTicket,
  assertCanWorkTicket,
  assertConvertible,
  nextTicketState,
  ticketAudience,
  ticketSubject,
  toTicketSummary,
  type TicketInfo,
  type TicketSummary,
} from '../domain/ticket';
import type { TicketFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { messageFrame } from '../protocol/server-frames';
import type { EmailAddressState } from '../ports/email-addresses';
import type { Ticket } from '../ports/ticket-store';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';
import { getConversation } from './conversations';
import { refreshPositions } from './queue-positions';
import { assertSkillConfigured } from './skills';
import { ticketCreated } from '../domain/event-facts';
import { publishEvents } from './domain-events';
import { ReplyNotEmailedError, ReplyToSuppressedAddressError, emailReply } from './ticket-mail';

export const TICKET_PAGE_DEFAULT = 25;
export const TICKET_PAGE_MAX = 100;
/** Messages a ticket read returns per page. */
export const TICKET_MESSAGES_MAX = 200;
/** Messages read to find a converted chat's first customer words (its subject). */
const SUBJECT_SCAN = 50;

/** A new reply token: 256 random bits as lowercase hex (domain/ticket.ts REPLY_TOKEN_PATTERN). */
function newReplyToken(ports: Ports): string {
  return Buffer.from(ports.opaqueTokens.generate(), 'base64url').toString('hex');
}

async function getTicket(ports: Ports, ticketId: string): Promise<Ticket> {
  const conversation = await ports.conversations.get(ticketId);
  if (conversation?.status !== 'ticket' || !conversation.ticket) throw new NotFoundError(`Ticket ${ticketId} does not exist`);
  return conversation as Ticket;
}

/** Everyone who hears of a ticket's change live: its customer, its assignee (and the one it had). */
async function announce(ports: Ports, ticket: Ticket, extraUserIds: readonly string[] = [], exceptUserId?: string): Promise<void> {
  await broadcast(
    ports,
    [...ticketAudience(ticket), ...extraUserIds],
    { type: 'conversation', conversation: toSummary(ticket) },
    {
      ...(exceptUserId ? { exceptUserId } : {}),
    },
  );
}

export interface NewTicketRequest {
  readonly skill?: string | undefined;
  readonly name: string;
  readonly email: string;
  readonly message: string;
  readonly clientMsgId: string;
}

/** `POST /v1/tickets`: the offline form. The message is the ticket's first; a resend (same clientMsgId) finds the same ticket. */
export async function createTicket(
  ports: Ports,
  user: User,
  request: NewTicketRequest,
): Promise<{ ticket: TicketSummary; created: boolean }> {
  if (user.role !== 'customer') throw new ForbiddenError('Only customers open tickets');
  validateText(request.message);
  if (request.skill !== undefined) await assertSkillConfigured(ports, request.skill);
  const now = ports.clock.now().toISOString();
  const ticket: TicketInfo = {
    state: 'open',
    email: request.email,
    subject: ticketSubject(request.message),
    replyToken: newReplyToken(ports),
    activityAt: now,
  };
  const stored = await ports.tickets.create({
    id: ports.ids.next(),
    customer: { id: user.id, name: request.name, email: request.email },
    skill: request.skill ?? ports.settings.defaultSkill,
    ticket,
    now,
    clientMsgId: request.clientMsgId,
  });
  const appended = await ports.conversations.appendMessage(
    stored.ticket,
    { sender: { id: user.id, role: 'customer', name: request.name }, text: request.message, clientMsgId: request.clientMsgId },
    now,
  );
  const current: Ticket = { ...stored.ticket, lastSeq: Math.max(stored.ticket.lastSeq, appended.message.seq) };
  if (stored.created) await announce(ports, current);
  // A resend publishes the same id again (consumers count it once): the first attempt may have failed before this.
  await publishEvents(ports, [ticketCreated(current, 'form', current.createdAt)]);
  return { ticket: toTicketSummary(current), created: stored.created };
}

export interface TicketListRequest {
  readonly skill?: string | undefined;
  readonly state: TicketState;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

/** The skills whose tickets a caller may list: an agent's own; for supervisors and admins every skill an agent serves, and the default. */
async function listableSkills(ports: Ports, user: User): Promise<string[]> {
  if (user.role === 'agent') return [...user.skills].sort();
  const roster = await ports.agents.list();
  return [...new Set([ports.settings.defaultSkill, ...roster.flatMap((agent) => agent.skills)])].sort();
}

/** `GET /v1/tickets`: one skill's tickets in one state, newest activity first (one Query; no Scan). */
export async function listTickets(
  ports: Ports,
  user: User,
  request: TicketListRequest,
): Promise<{ tickets: TicketSummary[]; next?: string; skill: string; skills: string[] }> {
  if (user.role === 'customer') throw new ForbiddenError('Only staff list tickets');
  const skill = request.skill ?? (user.role === 'agent' ? (user.skills[0] ?? ports.settings.defaultSkill) : ports.settings.defaultSkill);
  assertCanListTickets(user, skill);
  const [page, skills] = await Promise.all([
    ports.tickets.list(skill, request.state, request.limit, request.cursor),
    listableSkills(ports, user),
  ]);
  return { tickets: page.tickets.map(toTicketSummary), ...(page.next ? { next: page.next } : {}), skill, skills };
}

/** `GET /v1/tickets/{id}`: the ticket and a page of its messages (`after` a seq). */
export async function readTicket(
  ports: Ports,
  user: User,
  ticketId: string,
  after: number,
): Promise<{ ticket: TicketSummary; messages: Message[]; more: boolean }> {
  const ticket = await getTicket(ports, ticketId);
  assertCanSeeTicket(user, ticket);
  const [page, emailStatus] = await Promise.all([
    ports.conversations.listMessages(ticket.id, after, TICKET_MESSAGES_MAX),
    ports.emailAddresses.statusOf(ticket.ticket.email),
  ]);
  return { ticket: withEmailStatus(toTicketSummary(ticket), emailStatus), messages: page.messages, more: page.more };
}

/** One ticket's view carries whether its customer's address still takes mail (the list does not: one read per row). */
function withEmailStatus(summary: TicketSummary, emailStatus: EmailAddressState): TicketSummary {
  return { ...summary, customer: { ...summary.customer, emailStatus } };
}

export interface TicketUpdateRequest {
  readonly state?: TicketState | undefined;
  readonly assigneeId?: string | null | undefined;
}

/** `PUT /v1/tickets/{id}`: staff change its state or assignee. */
export async function updateTicket(ports: Ports, user: User, ticketId: string, request: TicketUpdateRequest): Promise<TicketSummary> {
  const ticket = await getTicket(ports, ticketId);
  assertCanWorkTicket(user, ticket);
  let assignee: Participant | null | undefined;
  if (request.assigneeId === null) assignee = null;
  else if (request.assigneeId !== undefined) {
    const profile = await ports.agents.get(request.assigneeId);
    assertAssignable(profile, ticket.skill);
    assignee = { id: profile!.id, name: profile!.name };
  }
  const now = ports.clock.now().toISOString();
  const updated = await ports.tickets.update(
    ticket.id,
    {
      ...(request.state ? { state: nextTicketState(ticket.ticket.state, { kind: 'set', to: request.state }) } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
      activityAt: now,
    },
    now,
  );
  if (!updated) throw new ConflictError('The ticket changed meanwhile; read it again');
  const previous = ticket.ticket.assignee?.id;
  await announce(ports, updated, previous ? [previous] : [], user.id);
  return toTicketSummary(updated);
}

/**
 * `POST /v1/tickets/{id}/replies`: stored as the staff member's message, then emailed with the
 * thread. The state becomes `pending` once the email is sent. A failed send leaves the message
 * stored, records it on the ticket ("not emailed") and answers ReplyNotEmailedError; sending the
 * same reply again (same clientMsgId) retries the email.
 */
export async function replyToTicket(
  ports: Ports,
  user: User,
  ticketId: string,
  request: { text: string; clientMsgId: string },
): Promise<{ message: Message; ticket: TicketSummary }> {
  validateText(request.text);
  const ticket = await getTicket(ports, ticketId);
  assertCanWorkTicket(user, ticket);
  const now = ports.clock.now().toISOString();
  const appended = await ports.conversations.appendMessage(
    ticket,
    { sender: userRef(user), text: request.text, clientMsgId: request.clientMsgId },
    now,
  );
  const { message } = appended;
  const retryingUnsent = ticket.ticket.unsentReplySeq === message.seq;
  if (appended.duplicate && !appended.resumed && !retryingUnsent) {
    // Stored and emailed before: answer it again, send nothing twice.
    return { message, ticket: toTicketSummary(ticket) };
  }
  if (!appended.duplicate || appended.resumed) {
    await broadcast(ports, ticketAudience(ticket), messageFrame(message), { exceptUserId: user.id });
  }
  const current: Ticket = { ...ticket, lastSeq: Math.max(ticket.lastSeq, message.seq) };
  try {
    await emailReply(ports, current, message);
  } catch (error) {
    ports.log.warn('A ticket reply was stored but not emailed', { ticketId: ticket.id, seq: message.seq, error });
    const marked = await ports.tickets.update(ticket.id, { unsentReplySeq: message.seq, activityAt: now }, now);
    if (marked) await announce(ports, marked, [], user.id);
    if (error instanceof MailSuppressedError) throw new ReplyToSuppressedAddressError(message.seq, error);
    throw new ReplyNotEmailedError(message.seq, error);
  }
  const updated = await ports.tickets.update(
    ticket.id,
    { state: nextTicketState(ticket.ticket.state, { kind: 'agent-reply' }), unsentReplySeq: null, activityAt: now },
    now,
  );
  if (updated) await announce(ports, updated, [], user.id);
  return { message, ticket: toTicketSummary(updated ?? current) };
}

/** The customer's first words in a chat, for a converted ticket's subject. */
async function firstCustomerText(ports: Ports, conversationId: string): Promise<string | undefined> {
  const { messages } = await ports.conversations.listMessages(conversationId, 0, SUBJECT_SCAN);
  return messages.find((message) => message.sender.role === 'customer')?.text;
}

/**
 * `ticket` action: the customer's waiting chat (queued, or with the bot) becomes a ticket in
 * state `open`, keeping its id and every message. Idempotent: already a ticket, it answers the
 * `conversation` frame again, and within the re-announce window (domain/announcements.ts) also
 * tells the customer's other connections and the queue again, since the attempt that stored
 * it may have failed before doing so. A queued one leaves the queue, so those behind it are
 * told their new positions, as on close.
 */
export async function convertToTicket(ports: Ports, caller: Caller, frame: TicketFrame): Promise<ServerFrame> {
  if (caller.user.role !== 'customer') throw new ForbiddenError('Only the customer turns a chat into a ticket');
  const conversation = await getConversation(ports, frame.conversationId);
  if (conversation.customer.id !== caller.user.id) throw new ForbiddenError('You are not the customer of this conversation');
  if (!assertConvertible(conversation)) return announceTicket(ports, caller, conversation, 'retry');
  const now = ports.clock.now().toISOString();
  const ticket: TicketInfo = {
    state: 'open',
    email: frame.email,
    subject: ticketSubject(await firstCustomerText(ports, conversation.id), `Chat of ${now.slice(0, 10)}`),
    replyToken: newReplyToken(ports),
    activityAt: now,
  };
  const converted = await ports.tickets.convert(conversation.id, ticket, frame.name ? { name: frame.name } : {}, now);
  if (!converted) {
    // Assigned, closed or converted by a concurrent request meanwhile.
    const current = await getConversation(ports, conversation.id);
    if (current.status === 'ticket') return announceTicket(ports, caller, current, 'retry');
    throw new ConflictError(`The conversation is ${current.status} now; only a waiting chat can become a ticket`);
  }
  return announceTicket(ports, caller, converted, conversation.status === 'queued' ? 'left-queue' : 'from-bot');
}

/**
 * The customer's other connections hear of the ticket first, then those still waiting in its
 * skill's queue their new positions (a retry does not know whether it was queued: refreshing
 * a queue nobody left only repeats the positions).
 */
async function announceTicket(
  ports: Ports,
  caller: Caller,
  converted: Conversation,
  how: 'left-queue' | 'from-bot' | 'retry',
): Promise<ServerFrame> {
  const reply: ServerFrame = { type: 'conversation', conversation: toSummary(converted) };
  if (how === 'retry' && !withinReannounceWindow(converted.updatedAt, ports.clock.now())) return reply;
  await publishEvents(ports, [ticketCreated(converted, 'chat', converted.ticket?.activityAt ?? converted.updatedAt)]);
  await broadcast(ports, [caller.user.id], reply, { ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}) });
  if (how !== 'from-bot') await refreshPositions(ports, converted.skill);
  return reply;
}

/** Refuses an update that changes nothing. */
export function assertSomeChange(request: TicketUpdateRequest): void {
  if (request.state === undefined && request.assigneeId === undefined) throw new BadRequestError('Send state, assigneeId or both');
}
