/**
 * Abandoned chats, free of I/O: when an assigned conversation whose customer went quiet gets
 * a "still there?" notice, and when it is closed for it. The timer starts at the agent's last
 * message (the agent is waiting on the customer); any customer message after it cancels
 * everything, and a new agent message starts a new round. Whether the customer still has a
 * live connection is asked separately (services/abandoned-chats.ts), for candidates only.
 */
import type { Conversation } from './conversation';
import type { SenderRole } from './identity';

export interface AbandonSettings {
  /** Quiet time after the agent's last message before the notice. */
  readonly afterSeconds: number;
  /** Quiet time after the notice before the close. */
  readonly closeAfterSeconds: number;
}

/** What the sweep should do with one conversation now, before checking the customer's connections. */
export type AbandonStep = { readonly kind: 'notice'; readonly agentSeq: number } | { readonly kind: 'close'; readonly agentSeq: number };

/** The fields the decision reads (all kept on the conversation item by the message write). */
export type AbandonState = Pick<
  Conversation,
  'status' | 'lastAgentSeq' | 'lastAgentAt' | 'lastCustomerSeq' | 'abandonNoticeSeq' | 'abandonNoticeAt'
>;

/** Which side a message counts for: staff speak for the agent side, system notices for neither. */
export function sideOf(role: SenderRole): 'customer' | 'agent' | undefined {
  if (role === 'customer') return 'customer';
  if (role === 'system') return undefined;
  return 'agent';
}

const secondsBetween = (fromIso: string, now: Date): number => (now.getTime() - Date.parse(fromIso)) / 1000;

/** True when the customer has written nothing since the agent message `agentSeq`. */
export function customerSilentSince(state: Pick<Conversation, 'lastCustomerSeq'>, agentSeq: number): boolean {
  return (state.lastCustomerSeq ?? 0) < agentSeq;
}

/**
 * The next step for a conversation, by time alone: the notice once the customer has been quiet
 * `afterSeconds` after the agent's last message; the close once it has stayed quiet
 * `closeAfterSeconds` after the notice of that same agent message. Undefined: nothing to do.
 */
export function abandonStep(state: AbandonState, now: Date, settings: AbandonSettings): AbandonStep | undefined {
  if (state.status !== 'assigned') return undefined;
  const agentSeq = state.lastAgentSeq;
  if (agentSeq === undefined || state.lastAgentAt === undefined) return undefined;
  if (!customerSilentSince(state, agentSeq)) return undefined;
  if (state.abandonNoticeSeq === agentSeq && state.abandonNoticeAt !== undefined) {
    return secondsBetween(state.abandonNoticeAt, now) >= settings.closeAfterSeconds ? { kind: 'close', agentSeq } : undefined;
  }
  return secondsBetween(state.lastAgentAt, now) >= settings.afterSeconds ? { kind: 'notice', agentSeq } : undefined;
}

/** One notice per agent message, however often (or concurrently) the sweep runs. */
export function abandonNoticeClientMsgId(conversationId: string, agentSeq: number): string {
  return `abandon-check:${conversationId}:${agentSeq}`;
}

/** The closing message: a conversation closes once. */
export function abandonedCloseClientMsgId(conversationId: string): string {
  return `abandoned:${conversationId}`;
}

function inMinutes(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function abandonNoticeText(closeAfterSeconds: number): string {
  return `Are you still there? If we don't hear from you within ${inMinutes(closeAfterSeconds)}, this chat will be closed.`;
}

export const ABANDONED_CLOSE_TEXT = 'This chat was closed because the customer did not reply. You can start a new chat at any time.';
