import type { ConversationSummary } from '../parley-client/src/index';

/** What the chat pane shows for the selected conversation, decided apart from the DOM. */
export type ChatPaneView =
  /** Nothing selected: the "pick a conversation" placeholder. */
  | { readonly kind: 'none' }
  /** Still this agent's to answer: composer, Close and Transfer. */
  | { readonly kind: 'open' }
  /** Closed: the history only. */
  | { readonly kind: 'closed' }
  /** Transferred away from this agent: the history, read-only, saying where it went. */
  | { readonly kind: 'transferred'; readonly target: string };

export function chatPaneView(summary: ConversationSummary | undefined, transferredTo: string | undefined): ChatPaneView {
  if (!summary) return { kind: 'none' };
  if (transferredTo !== undefined) return { kind: 'transferred', target: transferredTo };
  if (summary.status === 'closed') return { kind: 'closed' };
  return { kind: 'open' };
}

/** Whether the composer, Close and Transfer are offered. */
export function canAnswer(view: ChatPaneView): boolean {
  return view.kind === 'open';
}
