import type { ConversationSummary, ConversationStatus } from '../domain/conversation';
import { canView, toSummary } from '../domain/conversation';
import { BadRequestError, ForbiddenError } from '../domain/errors';
import type { User } from '../domain/identity';
import type { Message } from '../domain/message';
import type { Ports } from './context';
import { getConversation } from './conversations';
import { assertMaySeeCustomer } from './customer-history';

export const MAX_PAGE = 200;
export const DEFAULT_PAGE = 50;

/** `GET /v1/conversations`: an agent's own conversations; every conversation for supervisors. */
export async function listConversations(
  ports: Ports,
  user: User,
  status: ConversationStatus | undefined,
  limit: number,
): Promise<ConversationSummary[]> {
  if (user.role === 'customer') throw new ForbiddenError('Customers list their conversations through sync');
  if (user.role === 'supervisor' || user.role === 'admin') {
    // `bot` conversations (the first-line bot answers, no agent) are listed for supervisors only.
    const statuses: ConversationStatus[] = status ? [status] : ['bot', 'queued', 'assigned', 'closed'];
    const lists = await Promise.all(statuses.map((one) => ports.conversations.listByStatus(one, limit)));
    return lists
      .flat()
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, limit)
      .map(toSummary);
  }
  const own = await ports.conversations.listForAgent(user.id, MAX_PAGE);
  return own
    .filter((conversation) => conversation.agent?.id === user.id && (!status || conversation.status === status))
    .slice(0, limit)
    .map(toSummary);
}

/** `GET /v1/conversations/{id}/messages`: a page of history in seq order. */
export async function listMessages(
  ports: Ports,
  user: User,
  conversationId: string,
  after: number,
  limit: number,
): Promise<{ messages: Message[]; more: boolean }> {
  if (!Number.isSafeInteger(after) || after < 0) throw new BadRequestError('after must be a whole number >= 0');
  const conversation = await getConversation(ports, conversationId);
  // Staff who may see the customer read their past conversations read-only (customer-history.ts).
  if (!canView(user, conversation)) {
    if (user.role !== 'agent') throw new ForbiddenError('You are not a participant of this conversation');
    await assertMaySeeCustomer(ports, user, conversation.customer.id);
  }
  return ports.conversations.listMessages(conversationId, after, limit);
}
