import { handler as ticketsGet } from './tickets-get';
import { handler as ticketsList } from './tickets-list';
import { httpDispatcher } from '../shared/http';

/** The `ticket-reads` function (functions/routes.ts HTTP_GROUPS): each route key to its operation's handler. */
export const handler = httpDispatcher('ticket-reads', {
  'GET /v1/tickets': ticketsList,
  'GET /v1/tickets/{id}': ticketsGet,
});
