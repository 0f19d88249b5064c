import { replyToTicket } from '../../services/tickets';
import { httpHandler } from '../shared/http';
import { ticketIdParam, ticketReplyBody } from './ticket-schemas';

export const handler = httpHandler({ name: 'tickets-reply', body: ticketReplyBody, authenticated: true }, async (ports, request, user) => {
  const id = ticketIdParam(request.params);
  return { status: 201, body: await replyToTicket(ports, user!, id, request.body) };
});
