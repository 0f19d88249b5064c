import { handler as ticketsReply } from './tickets-reply';
import { handler as ticketsUpdate } from './tickets-update';
import { httpDispatcher } from '../shared/http';

/** The `ticket-writes` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('ticket-writes', {
  'PUT /v1/tickets/{id}': ticketsUpdate,
  'POST /v1/tickets/{id}/replies': ticketsReply,
});
