import { describe, expect, it } from 'vitest';
import { canAnswer, chatPaneView } from '../../../clients/console/chat-pane-view';
import type { ConversationSummary } from '../../../clients/parley-client/src/index';

const summary = (status: ConversationSummary['status']): ConversationSummary => ({
  id: 'c-1',
  status,
  customer: { id: 'guest:1', name: 'Ann' },
  lastSeq: 3,
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:30:00.000Z',
});

describe('what the chat pane shows', () => {
  it('nothing selected: the placeholder, nothing to answer', () => {
    expect(chatPaneView(undefined, undefined)).toEqual({ kind: 'none' });
    expect(canAnswer(chatPaneView(undefined, undefined))).toBe(false);
  });

  it('an open conversation (assigned, queued, with the bot) offers the composer, Close and Transfer', () => {
    for (const status of ['assigned', 'queued', 'bot'] as const) {
      expect(chatPaneView(summary(status), undefined)).toEqual({ kind: 'open' });
      expect(canAnswer(chatPaneView(summary(status), undefined))).toBe(true);
    }
  });

  it('a closed conversation is history only', () => {
    expect(chatPaneView(summary('closed'), undefined)).toEqual({ kind: 'closed' });
    expect(canAnswer(chatPaneView(summary('closed'), undefined))).toBe(false);
  });

  it('a conversation transferred away is read-only and says where it went, whatever its status now', () => {
    expect(chatPaneView(summary('assigned'), 'Tess (tech)')).toEqual({ kind: 'transferred', target: 'Tess (tech)' });
    expect(chatPaneView(summary('queued'), 'Tech support')).toEqual({ kind: 'transferred', target: 'Tech support' });
    expect(canAnswer(chatPaneView(summary('assigned'), 'Tess (tech)'))).toBe(false);
  });
});
