import type { ConversationSummary, TransferredFrame } from './protocol';

/**
 * A conversation's summary after a `transferred` frame: with the named agent (`assigned`) or
 * waiting in the named skill's queue (`queued`, no agent). Undefined when the frame is older
 * than what the summary already shows (it names a sender who no longer has the chat, e.g. the
 * next agent's `assigned` came first): applying it would undo the newer state.
 */
export function summaryAfterTransfer(summary: ConversationSummary, frame: TransferredFrame): ConversationSummary | undefined {
  if (summary.status === 'closed') return undefined;
  const fromAgentId = 'agent' in frame.from ? frame.from.agent.id : undefined;
  if (summary.agent && summary.agent.id !== fromAgentId) {
    // Already with the agent the frame moves it to: nothing left to apply.
    if ('agent' in frame.to && frame.to.agent.id === summary.agent.id) return { ...summary, status: 'assigned', agent: frame.to.agent };
    return undefined;
  }
  if ('agent' in frame.to) return { ...summary, status: 'assigned', agent: frame.to.agent };
  const { agent: _previous, ...rest } = summary;
  return { ...rest, status: 'queued', skill: frame.to.skill };
}

/** Whether the frame took the conversation away from `userId` (its sender's list should let it go). */
export function transferredAwayFrom(frame: TransferredFrame, userId: string): boolean {
  const from = 'agent' in frame.from ? frame.from.agent.id : undefined;
  const to = 'agent' in frame.to ? frame.to.agent.id : undefined;
  return from === userId && to !== userId;
}
