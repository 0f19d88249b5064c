import type { ConversationSummary } from '../parley-client/src/index';
import type { ConversationRow } from './conversation-list';

/** What the transcript knows of one conversation: its last message from a person, unread ones from others. */
export interface ConversationActivity {
  readonly last?: { readonly role: string; readonly text: string; readonly ts: string };
  readonly unreadFromOthers: number;
}

export interface ConversationListView {
  readonly userId: string;
  /** Supervisors and admins list every conversation; agents their own (and the selected one). */
  readonly seesAll: boolean;
  readonly selectedId: string | undefined;
  /** The selected conversation counts as read only while the page is seen. */
  readonly pageVisible: boolean;
  readonly now: number;
  /** Conversations transferred away from this agent -> to whom or which skill. */
  readonly transferredAway: ReadonlyMap<string, string>;
  /** How many closed conversations stay listed, newest first. */
  readonly closedShown: number;
}

/**
 * The conversation list's rows: open ones (newest activity first), then the latest closed ones;
 * each with its unread count, how long the customer has waited for an answer (queued, or
 * their message last), a preview and where it was transferred. `unreadOpen` is the title's count.
 */
export function conversationRows(
  summaries: Iterable<ConversationSummary>,
  view: ConversationListView,
  activity: (conversationId: string) => ConversationActivity,
): { readonly rows: ConversationRow[]; readonly unreadOpen: number } {
  const rows: ConversationRow[] = [];
  for (const summary of summaries) {
    if (!view.seesAll && summary.agent?.id !== view.userId && summary.id !== view.selectedId) continue;
    const { last, unreadFromOthers } = activity(summary.id);
    const awaitingReply = summary.status === 'queued' || (summary.status === 'assigned' && last?.role === 'customer');
    const since = summary.status === 'queued' ? summary.updatedAt : last?.ts;
    const transferredTo = view.transferredAway.get(summary.id);
    rows.push({
      summary,
      unread: summary.id === view.selectedId && view.pageVisible ? 0 : unreadFromOthers,
      ...(awaitingReply && since ? { waitingSeconds: Math.max(0, Math.round((view.now - Date.parse(since)) / 1000)) } : {}),
      preview: last?.text ?? '',
      ...(transferredTo !== undefined ? { transferredTo } : {}),
    });
  }
  const newestFirst = (a: ConversationRow, b: ConversationRow) => b.summary.updatedAt.localeCompare(a.summary.updatedAt);
  const open = rows.filter((row) => row.summary.status !== 'closed').sort(newestFirst);
  const closed = rows
    .filter((row) => row.summary.status === 'closed')
    .sort(newestFirst)
    .slice(0, view.closedShown);
  return { rows: [...open, ...closed], unreadOpen: open.reduce((sum, row) => sum + row.unread, 0) };
}

/** The page title, with the unread count in front when there is any (seen in the tab strip). */
export function titleWithUnread(title: string, unread: number): string {
  return unread > 0 ? `(${unread}) ${title}` : title;
}
