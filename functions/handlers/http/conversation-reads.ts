import { handler as customerConversations } from './customer-conversations';
import { handler as listConversations } from './list-conversations';
import { handler as listMessages } from './list-messages';
import { httpDispatcher } from '../shared/http';

/** The `conversation-reads` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('conversation-reads', {
  'GET /v1/conversations': listConversations,
  'GET /v1/conversations/{id}/messages': listMessages,
  'GET /v1/customers/{id}/conversations': customerConversations,
});
