import type { Conversation } from '../domain/conversation';

/** One search posting's key (ports/search-index.ts PostingWrite without its content). */
export interface PostingKey {
  readonly scope: string;
  readonly term: string;
  readonly sortKey: string;
}

/**
 * The writes that erase a customer (docs/data-rights.md). Every one is idempotent (deleting
 * what is already gone is fine), so a retried erase completes what a failed one left.
 */
export interface CustomerErasure {
  /**
   * Deletes every item of the conversation's partition except its META (messages, message-id
   * claims, read cursors) and its notes partition; answers how many items went.
   */
  deleteConversationContents(conversationId: string): Promise<number>;
  /**
   * Turns the conversation into a tombstone: status, skill, agent, times and the rating's score
   * kept; customer `erased`; email, visitor context, site attributes, locale, rating comment and
   * ticket contents removed (a ticket becomes `solved`: no one is left to answer); off the customer index. The last step for a conversation: once
   * done, the conversation is no longer found by the customer's id.
   */
  tombstone(conversation: Conversation, now: string): Promise<void>;
  /** The customer's own partition (USER#<id>): the open pointer, ticket-form claims, connection records. */
  deleteCustomerItems(customerId: string): Promise<number>;
  /** A ticket's reply token (MAILTOKEN#<token>): a mailed reply to an erased ticket is no longer threaded. */
  deleteMailToken(token: string): Promise<void>;
  /** An address's bounce/complaint status and its suppression-list entry. */
  deleteEmailStatus(email: string): Promise<void>;
  /** The reports' copy of a rating (RATINGS#<agent>/CONV#<id>): score kept, comment and customer link removed. */
  anonymizeRating(agentId: string, conversationId: string): Promise<void>;
  /** Search postings by key, and the conversation's participants item. */
  deleteSearchPostings(keys: readonly PostingKey[]): Promise<void>;
  deleteSearchParticipants(conversationId: string): Promise<void>;
  /**
   * Retention (docs/data-rights.md): sets `expiresAt` (epoch seconds, DynamoDB TTL) on every
   * item of the conversation's partition (its META included) and of its notes, and on its
   * search participants item; answers how many items.
   */
  expireConversation(conversationId: string, expiresAt: number): Promise<number>;
}
