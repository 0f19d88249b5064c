/**
 * Capacity claims. Every change of a conversation's routing state (assign, reassign,
 * requeue, close) is a conditional write that moves its `epoch` from e to e + 1. A claim on
 * an agent's capacity is named after the transition it is for: `<conversationId>#<e + 1>`.
 *
 * That makes claims safe to give back without transactions: once the conversation's epoch
 * has passed e + 1, or sits at e + 1 with another agent or status, no write can ever be
 * backed by that claim again, so releasing it can never free capacity an assignment uses.
 * Two routers working on the same transition (SQS redelivery) name the same claim, so a
 * claim left behind by a crash before the write is picked up again by the next run.
 */
import type { Conversation } from './conversation';

export function epochOf(conversation: Pick<Conversation, 'epoch'>): number {
  return conversation.epoch ?? 0;
}

export function claimName(conversationId: string, epoch: number): string {
  return `${conversationId}#${epoch}`;
}

/** The claim a transition away from the conversation's current state would use. */
export function nextClaim(conversation: Pick<Conversation, 'id' | 'epoch'>): string {
  return claimName(conversation.id, epochOf(conversation) + 1);
}

/** The claim that backs the conversation's current assignment. */
export function currentClaim(conversation: Pick<Conversation, 'id' | 'epoch'>): string {
  return claimName(conversation.id, epochOf(conversation));
}

/** True when `claim` on `agentId` backs the conversation as it is now. */
export function claimBacks(conversation: Conversation, agentId: string, claim: string): boolean {
  return conversation.status === 'assigned' && conversation.agent?.id === agentId && currentClaim(conversation) === claim;
}

/** The conversation id a claim is for. */
export function conversationOfClaim(claim: string): string {
  const at = claim.lastIndexOf('#');
  return at === -1 ? claim : claim.slice(0, at);
}
