import { ticketFrame } from '../../protocol/client-frames';
import { convertToTicket } from '../../services/tickets';
import { actionHandler } from '../shared/websocket';

export const handler = actionHandler('ticket', ticketFrame, (ports, caller, frame) => convertToTicket(ports, caller, frame));
