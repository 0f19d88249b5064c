/**
 * What happened in the support operation, as facts other parts react to: reports aggregate
 * them, webhooks forward them, search indexes them. Published after the stored change they
 * describe (at least once: consumers deduplicate by `id`), carried by the events queue, and
 * never on the path a customer or agent waits on.
 *
 * Additive only: consumers ignore fields and types they do not know.
 */

export type DomainEventType = DomainEvent['type'];

export const DOMAIN_EVENT_TYPES = [
  'conversation.started',
  'conversation.assigned',
  'message.created',
  'conversation.closed',
  'conversation.rated',
  'ticket.created',
] as const satisfies readonly DomainEventType[];

/** Who a person is in an event (ids and names as stored; never a token or an email unless stated). */
export interface EventParty {
  readonly id: string;
  readonly name: string;
}

interface EventBase {
  /** Unique per fact, stable across retries of the same stored change: consumers deduplicate by it. */
  readonly id: string;
  /** When the stored change happened (ISO 8601, UTC). */
  readonly at: string;
  readonly conversationId: string;
  /** The conversation's skill when it happened. */
  readonly skill: string;
  readonly customerId: string;
}

export interface ConversationStartedEvent extends EventBase {
  readonly type: 'conversation.started';
  /** Where it started: with the first-line bot or straight in the queue. */
  readonly status: 'bot' | 'queued';
}

export interface ConversationAssignedEvent extends EventBase {
  readonly type: 'conversation.assigned';
  readonly agent: EventParty;
  /** Milliseconds from entering the queue to this assignment. */
  readonly waitMs: number;
  /** True for the conversation's first assignment (not a transfer or a requeue after an agent was lost). */
  readonly first: boolean;
  /** Set when an agent handed it over. */
  readonly transferredFrom?: EventParty;
}

export interface MessageCreatedEvent extends EventBase {
  readonly type: 'message.created';
  readonly seq: number;
  readonly from: EventParty & { readonly role: 'customer' | 'agent' | 'supervisor' | 'admin' | 'bot' | 'system' };
  readonly text: string;
  /** On the first staff reply in the conversation: milliseconds since its first assignment. */
  readonly firstResponseMs?: number;
  /** The agent holding the conversation when the message was stored, if any (additive). */
  readonly agent?: EventParty;
}

export interface ConversationClosedEvent extends EventBase {
  readonly type: 'conversation.closed';
  /** The agent who held it when it closed, if any. */
  readonly agent?: EventParty;
  /** Who closed it: a role, or `system` for the abandoned-chat sweep. */
  readonly closedBy: 'customer' | 'agent' | 'supervisor' | 'admin' | 'system';
  /** `abandoned` when the system closed it; `queue` when it closed while waiting, never answered. */
  readonly reason?: 'abandoned' | 'queue';
  /** Milliseconds from its first assignment to the close (absent if never assigned). */
  readonly handleMs?: number;
  readonly messages: number;
}

export interface ConversationRatedEvent extends EventBase {
  readonly type: 'conversation.rated';
  readonly agent?: EventParty;
  /** 1-5. */
  readonly score: number;
  readonly comment?: string;
}

export interface TicketCreatedEvent extends EventBase {
  readonly type: 'ticket.created';
  /** `form`: the offline form; `chat`: a waiting chat turned into a ticket (the offer). */
  readonly source: 'form' | 'chat';
  readonly subject: string;
}

export type DomainEvent =
  | ConversationStartedEvent
  | ConversationAssignedEvent
  | MessageCreatedEvent
  | ConversationClosedEvent
  | ConversationRatedEvent
  | TicketCreatedEvent;
