import type { ReportRow } from '../domain/reports';

/** A rating as the reports keep it: one per conversation (a re-rating replaces it). */
export interface StoredRating {
  readonly conversationId: string;
  /** The agent who held the conversation, or NO_AGENT. */
  readonly agentId: string;
  readonly agentName?: string;
  readonly skill: string;
  readonly customerId: string;
  readonly score: number;
  readonly comment?: string;
  readonly at: string;
  /** The UTC day whose row counted it (a re-rating corrects that row). */
  readonly day: string;
}

export interface RatingPage {
  readonly ratings: readonly StoredRating[];
  readonly nextCursor?: string;
}

/**
 * Report counters (docs/reports.md): rows per day, skill and agent updated by single-item
 * atomic ADDs, short-lived markers that make an event count once, and ratings per agent.
 */
export interface ReportStore {
  /** Claims an event for counting (a conditional put of a marker with a TTL); false when already counted. */
  claimEvent(eventId: string, expiresAtSeconds: number): Promise<boolean>;
  /** Gives a claim back (counting failed): the event's redelivery counts it. */
  releaseEvent(eventId: string): Promise<void>;
  /** Adds to a row's counters in one atomic update (creating the row). */
  add(day: string, skill: string, agent: { id: string; name?: string }, values: Readonly<Record<string, number>>): Promise<void>;
  /** Stores a conversation's rating; answers the one it replaced, if any. */
  putRating(rating: StoredRating): Promise<StoredRating | undefined>;
  /** Every row of one day (one Query). */
  rowsOf(day: string): Promise<ReportRow[]>;
  /** One agent's ratings, newest conversation first. */
  ratingsOf(agentId: string, limit: number, cursor?: string): Promise<RatingPage>;
}
