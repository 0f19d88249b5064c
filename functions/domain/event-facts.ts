import type { Conversation, Participant, Rating } from './conversation';
import type {
  ConversationAssignedEvent,
  ConversationClosedEvent,
  ConversationRatedEvent,
  ConversationStartedEvent,
  EventParty,
  MessageCreatedEvent,
  TicketCreatedEvent,
} from './domain-events';
import type { Message } from './message';

/**
 * The domain events (domain-events.ts) built from what was stored. Each id is derived from the
 * stored change itself (the conversation, its epoch, a message's seq), so a retried request
 * that publishes the same change again publishes the same id and consumers count it once.
 */

const msBetween = (from: string, to: string): number => Math.max(0, Date.parse(to) - Date.parse(from));

const party = (participant: Participant): EventParty => ({ id: participant.id, name: participant.name });

function base(conversation: Conversation) {
  return { conversationId: conversation.id, skill: conversation.skill, customerId: conversation.customer.id };
}

/** A conversation opened (once per conversation). */
export function conversationStarted(conversation: Conversation): ConversationStartedEvent {
  return {
    type: 'conversation.started',
    id: `${conversation.id}:started`,
    at: conversation.createdAt,
    ...base(conversation),
    status: conversation.status === 'bot' ? 'bot' : 'queued',
  };
}

/**
 * An agent took it (the router, or a transfer to a named agent). `before` is the conversation
 * as it was read before the move: a queued one's wait ends here; an agent-to-agent transfer
 * waited nothing. One per epoch: a transition bumps the epoch.
 */
export function conversationAssigned(before: Conversation, assigned: Conversation): ConversationAssignedEvent | undefined {
  if (!assigned.agent) return undefined;
  const at = assigned.assignedAt ?? assigned.updatedAt;
  const waited = before.status === 'queued' ? msBetween(before.queuedAt ?? before.createdAt, at) : 0;
  return {
    type: 'conversation.assigned',
    id: `${assigned.id}:assigned:${assigned.epoch ?? 0}`,
    at,
    ...base(assigned),
    agent: party(assigned.agent),
    waitMs: waited,
    first: assigned.firstAssignedAt === at,
    ...(before.agent && before.agent.id !== assigned.agent.id ? { transferredFrom: party(before.agent) } : {}),
  };
}

/**
 * A person's message was stored. `before` is the conversation read before the append: a staff
 * message in a conversation without one before is the first response, timed from the first
 * assignment (or from the start, if staff answered before any assignment).
 */
export function messageCreated(before: Conversation, message: Message): MessageCreatedEvent {
  const staff = message.sender.role === 'agent' || message.sender.role === 'supervisor' || message.sender.role === 'admin';
  const firstResponse = staff && before.lastAgentSeq === undefined;
  return {
    type: 'message.created',
    id: `${before.id}:message:${message.seq}`,
    at: message.ts,
    ...base(before),
    seq: message.seq,
    from: { id: message.sender.id, name: message.sender.name, role: message.sender.role },
    text: message.text,
    ...(firstResponse ? { firstResponseMs: msBetween(before.firstAssignedAt ?? before.createdAt, message.ts) } : {}),
    ...(before.agent ? { agent: party(before.agent) } : {}),
  };
}

const CLOSERS = new Set(['customer', 'agent', 'supervisor', 'admin']);

/**
 * It closed: by a person, or by the system (abandoned). `queue`: closed while waiting, never
 * with an agent at the time. One per conversation (a closed conversation never reopens).
 */
export function conversationClosed(closed: Conversation): ConversationClosedEvent {
  const at = closed.closedAt ?? closed.updatedAt;
  const role = closed.closedBy?.role ?? 'system';
  const reason = closed.closeReason === 'abandoned' ? 'abandoned' : !closed.agent && closed.queuedAt !== undefined ? 'queue' : undefined;
  return {
    type: 'conversation.closed',
    id: `${closed.id}:closed`,
    at,
    ...base(closed),
    ...(closed.agent ? { agent: party(closed.agent) } : {}),
    closedBy: (CLOSERS.has(role) ? role : 'system') as ConversationClosedEvent['closedBy'],
    ...(reason ? { reason } : {}),
    ...(closed.firstAssignedAt ? { handleMs: msBetween(closed.firstAssignedAt, at) } : {}),
    messages: closed.lastSeq,
  };
}

/** The customer rated it (again: a new event; consumers that keep one rating per conversation key it by conversationId). */
export function conversationRated(conversation: Conversation, rating: Rating, at: string): ConversationRatedEvent {
  return {
    type: 'conversation.rated',
    id: `${conversation.id}:rated:${at}`,
    at,
    ...base(conversation),
    ...(conversation.agent ? { agent: party(conversation.agent) } : {}),
    score: rating.score,
    ...(rating.comment ? { comment: rating.comment } : {}),
  };
}

/** A ticket exists: from the offline form, or a waiting chat turned into one. Once per conversation. */
export function ticketCreated(ticket: Conversation, source: 'form' | 'chat', at: string): TicketCreatedEvent {
  return {
    type: 'ticket.created',
    id: `${ticket.id}:ticket`,
    at,
    ...base(ticket),
    source,
    subject: ticket.ticket?.subject ?? '',
  };
}
