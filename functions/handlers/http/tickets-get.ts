import { readTicket } from '../../services/tickets';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';
import { ticketIdParam, ticketReadQuery } from './ticket-schemas';

export const handler = httpHandler({ name: 'tickets-get', authenticated: true }, async (ports, request, user) => {
  const id = ticketIdParam(request.params);
  const { after } = validate(ticketReadQuery, request.query);
  return { body: await readTicket(ports, user!, id, after) };
});
