import type { Conversation } from './conversation';
import type { User } from './identity';

/**
 * Who may see a customer's past conversations and tickets (the console's customer panel) and
 * read them: supervisors and admins always; the customer themself; an agent who may see one
 * of the customer's conversations, that is one assigned to them or in a skill they serve.
 */
export function maySeeThroughConversation(user: User, conversation: Pick<Conversation, 'skill' | 'agent' | 'customer'>): boolean {
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  if (user.role === 'customer') return conversation.customer.id === user.id;
  return conversation.agent?.id === user.id || user.skills.includes(conversation.skill);
}

/** Whether `user` may see customer `customerId`'s history, given (some of) that customer's conversations. */
export function maySeeCustomer(
  user: User,
  customerId: string,
  conversations: ReadonlyArray<Pick<Conversation, 'skill' | 'agent' | 'customer'>>,
): boolean {
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  if (user.role === 'customer') return user.id === customerId;
  return conversations.some((conversation) => conversation.customer.id === customerId && maySeeThroughConversation(user, conversation));
}
