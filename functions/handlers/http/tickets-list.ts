import { listTickets } from '../../services/tickets';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';
import { ticketListQuery } from './ticket-schemas';

export const handler = httpHandler({ name: 'tickets-list', authenticated: true }, async (ports, request, user) => ({
  body: await listTickets(ports, user!, validate(ticketListQuery, request.query)),
}));
