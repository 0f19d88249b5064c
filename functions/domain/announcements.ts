import type { Conversation } from './conversation';

/**
 * How long after a close a repeated `close` announces it again. Clients retry an
 * `unavailable` close within seconds (backoff up to 20 s), so an hour covers any retry of a
 * close whose first attempt failed after the stored write; a stale client closing a
 * conversation closed long ago gets its answer and nobody else is disturbed (reconcile has
 * long since repaired any capacity such an attempt left claimed).
 */
export const CLOSE_REANNOUNCE_SECONDS = 60 * 60;

/**
 * What a `close` does with the conversation as read:
 * - `store`: it is open; close it, announce `closed`, then free the agent's capacity.
 * - `reannounce`: it was closed recently; the attempt that stored the close (this client's,
 *   or another closer's racing it) may have failed before announcing it or freeing the
 *   capacity, so announce `closed` again and re-run the after-close steps (all idempotent).
 * - `reply`: closed long ago (or when is unknown); answer the caller only.
 */
export type CloseStep = 'store' | 'reannounce' | 'reply';

export function closeStep(conversation: Pick<Conversation, 'status' | 'closedAt'>, now: Date): CloseStep {
  if (conversation.status !== 'closed') return 'store';
  const closedAt = conversation.closedAt === undefined ? Number.NaN : Date.parse(conversation.closedAt);
  if (!Number.isFinite(closedAt)) return 'reply';
  // A clock behind the close's (another instance's) still counts as recent.
  return now.getTime() - closedAt <= CLOSE_REANNOUNCE_SECONDS * 1000 ? 'reannounce' : 'reply';
}
