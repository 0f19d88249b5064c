import type { Conversation } from './conversation';

/**
 * How long after a stored change a retry of the action that stored it announces it again.
 * Clients retry an `unavailable` answer within seconds (backoff up to 20 s), so an hour
 * covers any retry of an attempt that failed after its stored write; a stale client
 * repeating something done long ago gets its answer and nobody else is disturbed (reconcile
 * has long since repaired any capacity such an attempt left claimed).
 */
export const REANNOUNCE_WINDOW_SECONDS = 60 * 60;

/** Whether a change stored at `storedAt` is recent enough for a retry to announce it again. */
export function withinReannounceWindow(storedAt: string | undefined, now: Date): boolean {
  const at = storedAt === undefined ? Number.NaN : Date.parse(storedAt);
  // Unknown or unreadable: not re-announced. A clock behind the writer's still counts as recent.
  return Number.isFinite(at) && now.getTime() - at <= REANNOUNCE_WINDOW_SECONDS * 1000;
}

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
  return withinReannounceWindow(conversation.closedAt, now) ? 'reannounce' : 'reply';
}

/**
 * Whether a message (or note) an append returned is pushed to the participants: a new one
 * always; a retry's (same clientMsgId, nothing new stored) while recent, because the attempt
 * that stored it may have failed before its push and the retry is then the only chance to
 * deliver it live. Clients drop a seq they already hold (PROTOCOL.md section 5), so a second
 * push is harmless.
 */
export function pushAppended(
  appended: { readonly duplicate: boolean; readonly resumed: boolean; readonly message: { readonly ts: string } },
  now: Date,
): boolean {
  return !appended.duplicate || appended.resumed || withinReannounceWindow(appended.message.ts, now);
}
