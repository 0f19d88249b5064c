import { assertSomeChange, updateTicket } from '../../services/tickets';
import { httpHandler } from '../shared/http';
import { ticketChangesBody, ticketIdParam } from './ticket-schemas';

export const handler = httpHandler(
  { name: 'tickets-update', body: ticketChangesBody, authenticated: true },
  async (ports, request, user) => {
    const id = ticketIdParam(request.params);
    assertSomeChange(request.body);
    return { body: { ticket: await updateTicket(ports, user!, id, request.body) } };
  },
);
