import { describe, expect, it } from 'vitest';
import {
  conversationRows,
  titleWithUnread,
  type ConversationActivity,
  type ConversationListView,
} from '../../../clients/console/conversation-rows';
import type { ConversationSummary } from '../../../clients/parley-client/src/index';

const NOW = Date.parse('2026-03-02T10:00:00.000Z');
const ME = 'agent-1';

const summary = (id: string, change: Partial<ConversationSummary> = {}): ConversationSummary => ({
  id,
  status: 'assigned',
  customer: { id: `guest:${id}`, name: id },
  agent: { id: ME, name: 'Me' },
  skill: 'billing',
  lastSeq: 1,
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:30:00.000Z',
  ...change,
});

const view = (change: Partial<ConversationListView> = {}): ConversationListView => ({
  userId: ME,
  seesAll: false,
  selectedId: undefined,
  pageVisible: true,
  now: NOW,
  transferredAway: new Map(),
  closedShown: 20,
  ...change,
});

const quiet: ConversationActivity = { unreadFromOthers: 0 };
const ids = (result: ReturnType<typeof conversationRows>) => result.rows.map((row) => row.summary.id);

describe("the console's conversation list", () => {
  it('lists open conversations newest first, then the latest closed ones, at most closedShown of them', () => {
    const summaries = [
      summary('old-open', { updatedAt: '2026-03-02T08:00:00.000Z' }),
      summary('closed-new', { status: 'closed', updatedAt: '2026-03-02T09:59:00.000Z' }),
      summary('new-open', { updatedAt: '2026-03-02T09:50:00.000Z' }),
      summary('closed-old', { status: 'closed', updatedAt: '2026-03-01T09:00:00.000Z' }),
      summary('queued', { status: 'queued', updatedAt: '2026-03-02T09:55:00.000Z' }),
    ];
    expect(ids(conversationRows(summaries, view({ seesAll: true }), () => quiet))).toEqual([
      'queued',
      'new-open',
      'old-open',
      'closed-new',
      'closed-old',
    ]);
    expect(ids(conversationRows(summaries, view({ seesAll: true, closedShown: 1 }), () => quiet))).toEqual([
      'queued',
      'new-open',
      'old-open',
      'closed-new',
    ]);
  });

  it("shows an agent their own conversations and the selected one; supervisors see everyone's", () => {
    const summaries = [summary('mine'), summary('theirs', { agent: { id: 'agent-2' } }), summary('queued', { status: 'queued' })];
    delete (summaries[2] as { agent?: unknown }).agent;
    expect(ids(conversationRows(summaries, view(), () => quiet))).toEqual(['mine']);
    expect(ids(conversationRows(summaries, view({ selectedId: 'theirs' }), () => quiet)).sort()).toEqual(['mine', 'theirs']);
    expect(ids(conversationRows(summaries, view({ seesAll: true }), () => quiet)).sort()).toEqual(['mine', 'queued', 'theirs']);
  });

  it('counts unread messages from others, none for the selected conversation while the page is seen; the title counts open ones', () => {
    const summaries = [summary('a'), summary('b'), summary('done', { status: 'closed' })];
    const activity = (id: string): ConversationActivity => ({ unreadFromOthers: id === 'a' ? 2 : id === 'b' ? 3 : 4 });
    const seen = conversationRows(summaries, view({ selectedId: 'a' }), activity);
    expect(Object.fromEntries(seen.rows.map((row) => [row.summary.id, row.unread]))).toEqual({ a: 0, b: 3, done: 4 });
    expect(seen.unreadOpen).toBe(3);
    const hidden = conversationRows(summaries, view({ selectedId: 'a', pageVisible: false }), activity);
    expect(hidden.rows.find((row) => row.summary.id === 'a')?.unread).toBe(2);
    expect(hidden.unreadOpen).toBe(5);
    expect(titleWithUnread('Console', 5)).toBe('(5) Console');
    expect(titleWithUnread('Console', 0)).toBe('Console');
  });

  it('says how long the customer has waited: queued since it was queued, assigned since their unanswered message', () => {
    const summaries = [
      summary('queued', { status: 'queued', updatedAt: '2026-03-02T09:58:00.000Z' }),
      summary('asked', {}),
      summary('answered', {}),
      summary('closed', { status: 'closed' }),
    ];
    const activity = (id: string): ConversationActivity => ({
      unreadFromOthers: 0,
      last:
        id === 'answered'
          ? { role: 'agent', text: 'Done!', ts: '2026-03-02T09:59:00.000Z' }
          : { role: 'customer', text: 'Hello?', ts: '2026-03-02T09:55:30.000Z' },
    });
    const rows = Object.fromEntries(
      conversationRows(summaries, view({ seesAll: true }), activity).rows.map((row) => [row.summary.id, row]),
    );
    expect(rows.queued?.waitingSeconds).toBe(120);
    expect(rows.asked?.waitingSeconds).toBe(270);
    expect(rows.asked?.preview).toBe('Hello?');
    expect(rows.answered?.waitingSeconds).toBeUndefined();
    expect(rows.answered?.preview).toBe('Done!');
    expect(rows.closed?.waitingSeconds).toBeUndefined();
  });

  it('marks a conversation transferred away with where it went; without a message the preview is empty', () => {
    const result = conversationRows([summary('moved')], view({ transferredAway: new Map([['moved', 'Tech support']]) }), () => quiet);
    expect(result.rows).toEqual([expect.objectContaining({ transferredTo: 'Tech support', preview: '', unread: 0 })]);
    expect(result.rows[0]).not.toHaveProperty('waitingSeconds');
  });
});
