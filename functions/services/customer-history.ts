import type { Conversation, ConversationSummary } from '../domain/conversation';
import { toSummary } from '../domain/conversation';
import type { CustomerAttrs } from '../domain/customer-context';
import { maySeeCustomer } from '../domain/customer-history-authorization';
import { BadRequestError, ForbiddenError } from '../domain/errors';
import type { User } from '../domain/identity';
import { CUSTOMER_ID_PREFIXES, USER_ID_PATTERN } from '../domain/identity';
import type { Ports } from './context';

/** How many of the customer's newest conversations an agent's sight of the customer is judged on. */
export const SIGHT_WINDOW = 100;

/** What staff see about one conversation in the customer panel; customers get the summary, its close and rating. */
export interface CustomerConversation extends ConversationSummary {
  closedAt?: string;
  rating?: { score: number; comment?: string };
  /** Staff only: what the customer told or the site vouched for, and where the chat started. */
  context?: {
    email?: string;
    attrs?: CustomerAttrs;
    locale?: string;
    timeZone?: string;
    page?: string;
    referrer?: string;
    userAgent?: string;
  };
}

export interface CustomerConversationList {
  customerId: string;
  conversations: CustomerConversation[];
  /** Pass as `before` for older ones. */
  next?: string;
}

export function assertCustomerId(customerId: string): void {
  if (!USER_ID_PATTERN.test(customerId) || !CUSTOMER_ID_PREFIXES.some((prefix) => customerId.startsWith(prefix))) {
    throw new BadRequestError('Not a customer id (guest:… or site:…)');
  }
}

/**
 * Whether `user` may see customer `customerId`'s conversations (domain/customer-history-authorization.ts).
 * An agent's sight is judged on the customer's newest SIGHT_WINDOW conversations: one Query.
 */
export async function assertMaySeeCustomer(ports: Ports, user: User, customerId: string): Promise<void> {
  if (user.role !== 'agent') {
    if (!maySeeCustomer(user, customerId, [])) throw new ForbiddenError('You may only see your own conversations');
    return;
  }
  const recent = await ports.conversations.listForCustomer(customerId, SIGHT_WINDOW);
  if (!maySeeCustomer(user, customerId, recent)) {
    throw new ForbiddenError("None of this customer's conversations is yours or in a skill you serve");
  }
}

/** `GET /v1/customers/{customerId}/conversations`: the customer's conversations and tickets, newest first, paged. */
export async function listCustomerConversations(
  ports: Ports,
  user: User,
  customerId: string,
  page: { limit: number; before?: string | undefined },
): Promise<CustomerConversationList> {
  assertCustomerId(customerId);
  await assertMaySeeCustomer(ports, user, customerId);
  const found = await ports.conversations.pageForCustomer(customerId, page.limit, page.before);
  const staff = user.role !== 'customer';
  return {
    customerId,
    conversations: found.conversations.map((conversation) => customerConversation(conversation, staff)),
    ...(found.next ? { next: found.next } : {}),
  };
}

function customerConversation(conversation: Conversation, staff: boolean): CustomerConversation {
  const { visitor, attrs, locale, customer } = conversation;
  const context = {
    ...(customer.email ? { email: customer.email } : {}),
    ...(attrs ? { attrs } : {}),
    ...(locale ? { locale } : {}),
    ...(visitor?.timeZone ? { timeZone: visitor.timeZone } : {}),
    ...(visitor?.page ? { page: visitor.page } : {}),
    ...(visitor?.referrer ? { referrer: visitor.referrer } : {}),
    ...(visitor?.userAgent ? { userAgent: visitor.userAgent } : {}),
  };
  return {
    ...toSummary(conversation),
    ...(conversation.closedAt ? { closedAt: conversation.closedAt } : {}),
    ...(conversation.rating ? { rating: { ...conversation.rating } } : {}),
    ...(staff && Object.keys(context).length > 0 ? { context } : {}),
  };
}
