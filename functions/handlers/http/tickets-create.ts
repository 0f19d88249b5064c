import { createTicket } from '../../services/tickets';
import { httpHandler } from '../shared/http';
import { newTicketBody } from './ticket-schemas';

export const handler = httpHandler({ name: 'tickets-create', body: newTicketBody, authenticated: true }, async (ports, request, user) => {
  // 201 on a resend too (same clientMsgId): the same ticket, as the first answer said.
  const { ticket } = await createTicket(ports, user!, request.body);
  return { status: 201, body: { ticket } };
});
