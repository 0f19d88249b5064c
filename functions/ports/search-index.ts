/**
 * The search index (docs/search.md): posting lists in DynamoDB, one item per (scope, term,
 * hit), read newest first. Written only by the `search` events sink; read by the search route.
 */

/** One hit of a term: a message (seq >= 1) or the conversation's customer (seq 0). */
export interface Posting {
  /** `<at>#<conversationId>#<seq, 12 digits>` (domain/search.ts hitSortKey): orders and pages the list. */
  readonly sortKey: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly at: string;
  /** Text around the term (messages), or the customer's name (customer hits). */
  readonly snippet: string;
}

/** Where a read of a posting list starts (descending). */
export interface PostingBound {
  readonly key: string;
  readonly inclusive: boolean;
}

export interface PostingWrite extends Posting {
  readonly scope: string;
  readonly term: string;
  /** When DynamoDB TTL may remove it (epoch seconds): set by retention (docs/data-rights.md). */
  readonly expiresAt?: number;
}

/** Who took part in a conversation, as far as the index knows, and whose postings are complete. */
export interface SearchParticipants {
  /** Agents who were assigned it at some point or wrote in it. */
  readonly agents: readonly string[];
  /** Agents whose scope holds every hit of the conversation stored before they joined (backfilled). */
  readonly backfilled: readonly string[];
  /** Set once retention gave the conversation its expiry (docs/data-rights.md): its postings get it too. */
  readonly expiresAt?: number;
}

export interface SearchIndex {
  /**
   * Up to `limit` postings of `term` in `scope`, newest first, with sort keys before `bound`
   * (or at it, when inclusive); all when absent.
   */
  postings(scope: string, term: string, bound: PostingBound | undefined, limit: number): Promise<Posting[]>;
  /** Writes postings (idempotent: the same hit has the same key and content). */
  write(postings: readonly PostingWrite[]): Promise<void>;
  /** Adds `agentId` to the conversation's participants (a set: concurrent adds all stay) and returns them. */
  addParticipant(conversationId: string, agentId: string): Promise<SearchParticipants>;
  /** Records that `agentId`'s scope holds the conversation's earlier hits. */
  markBackfilled(conversationId: string, agentId: string): Promise<void>;
  participants(conversationId: string): Promise<SearchParticipants>;
}
