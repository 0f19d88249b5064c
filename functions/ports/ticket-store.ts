import type { Conversation, Participant, TicketState } from '../domain/conversation';
import type { TicketInfo, TicketOfferReason } from '../domain/ticket';

export type Ticket = Conversation & { readonly ticket: TicketInfo };

/** A ticket the offline form asks for; stored once per (customer, clientMsgId). */
export interface NewTicket {
  readonly id: string;
  readonly customer: Participant & { readonly email: string };
  readonly skill: string;
  readonly ticket: TicketInfo;
  readonly now: string;
  /** The form's clientMsgId: a resend finds the ticket the first attempt created. */
  readonly clientMsgId: string;
}

/** A change to a ticket by staff or by a reply; every field optional. */
export interface TicketChange {
  readonly state?: TicketState;
  /** null removes the assignee. */
  readonly assignee?: Participant | null;
  readonly lastInboundMessageId?: string;
  /** A number records a reply not emailed; null clears it. */
  readonly unsentReplySeq?: number | null;
  /** The ticket's newest activity (moves it to the top of its list). */
  readonly activityAt: string;
}

export interface TicketPage {
  readonly tickets: Ticket[];
  /** Opaque: pass back as `after` for the next page. */
  readonly next?: string;
}

/** Tickets on the conversation items, their reply tokens and the waiting customers' offers. Single-item conditional writes only. */
export interface TicketStore {
  /** Creates the ticket the form asked for unless this (customer, clientMsgId) already did; returns it either way. */
  create(candidate: NewTicket): Promise<{ ticket: Ticket; created: boolean }>;
  /**
   * A waiting chat (queued or bot) becomes a ticket, only if it is still waiting; undefined
   * when it no longer was. Clears the customer's open-conversation pointer.
   */
  convert(conversationId: string, ticket: TicketInfo, customer: { name?: string }, now: string): Promise<Ticket | undefined>;
  /** Changes a ticket, only while it is one; undefined when it is not (any more). */
  update(conversationId: string, change: TicketChange, now: string): Promise<Ticket | undefined>;
  /** One skill's tickets in one state, newest activity first. Throws BadRequestError for a cursor it did not issue. */
  list(skill: string, state: TicketState, limit: number, after?: string): Promise<TicketPage>;
  /** The ticket a reply token belongs to, if any. */
  findByReplyToken(replyToken: string): Promise<Ticket | undefined>;
  /** Records that the waiting customer was offered a ticket for this reason; false when it already was. */
  recordOffer(conversationId: string, reason: TicketOfferReason, now: string): Promise<boolean>;
}
