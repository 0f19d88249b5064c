import { createHash } from 'node:crypto';
import { toSummary } from '../domain/conversation';
import { MAX_TEXT_CHARS } from '../domain/message';
import { nextTicketState, REPLY_TOKEN_PATTERN, ticketAudience } from '../domain/ticket';
import { messageFrame } from '../protocol/server-frames';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/** A customer's emailed reply, parsed by the inbound-mail handler. */
export interface InboundTicketReply {
  /** The token from the `reply+<token>@` address it was sent to. */
  readonly replyToken: string;
  readonly fromEmail: string;
  readonly fromName?: string;
  /** The new text of the reply (quoted history stripped). */
  readonly text: string;
  /** The inbound mail's Message-ID: a redelivered mail is stored once. */
  readonly messageId: string;
  readonly receivedAt: string;
}

export type InboundReplyOutcome = 'stored' | 'duplicate' | 'unknown-token';

/** Stored in place of a reply whose mail held no text (an attachment only, say): the staff still see that it came. */
export const EMPTY_REPLY_TEXT = '(The emailed reply had no text.)';

/** The inbound Message-ID as a clientMsgId: hashed, since a Message-ID may be long and hold any characters. */
export function inboundClientMsgId(messageId: string): string {
  return `mail:${createHash('sha256').update(messageId.trim(), 'utf8').digest('hex').slice(0, 40)}`;
}

function replyText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) return EMPTY_REPLY_TEXT;
  const chars = [...trimmed];
  return chars.length <= MAX_TEXT_CHARS ? trimmed : chars.slice(0, MAX_TEXT_CHARS).join('');
}

/**
 * A customer's emailed reply, threaded by its token (never by subject): stored as the
 * customer's message, once per inbound Message-ID, and the ticket goes back to `open` with
 * the customer and the assignee told live. Part C's inbound-mail handler calls this.
 */
export async function receiveTicketReply(ports: Ports, reply: InboundTicketReply): Promise<InboundReplyOutcome> {
  const token = reply.replyToken.trim().toLowerCase();
  if (!REPLY_TOKEN_PATTERN.test(token)) return 'unknown-token';
  const ticket = await ports.tickets.findByReplyToken(token);
  if (!ticket) return 'unknown-token';
  if (reply.fromEmail.trim().toLowerCase() !== ticket.ticket.email.toLowerCase()) {
    // The token is the secret; a forwarded or aliased address still threads, but it is worth knowing.
    ports.log.info('A ticket reply came from another address than the ticket', { ticketId: ticket.id });
  }
  const now = ports.clock.now().toISOString();
  const appended = await ports.conversations.appendMessage(
    ticket,
    {
      sender: { id: ticket.customer.id, role: 'customer', name: reply.fromName?.trim() || ticket.customer.name },
      text: replyText(reply.text),
      clientMsgId: inboundClientMsgId(reply.messageId),
    },
    now,
  );
  const isNew = !appended.duplicate || appended.resumed;
  // Also on a redelivery: an earlier attempt may have stored the message and stopped before this.
  const updated =
    isNew || ticket.ticket.lastInboundMessageId !== reply.messageId
      ? await ports.tickets.update(
          ticket.id,
          {
            state: nextTicketState(ticket.ticket.state, { kind: 'customer-reply' }),
            lastInboundMessageId: reply.messageId,
            activityAt: now,
          },
          now,
        )
      : undefined;
  if (!isNew) return 'duplicate';
  const audience = ticketAudience(updated ?? ticket);
  await broadcast(ports, audience, messageFrame(appended.message));
  if (updated) await broadcast(ports, audience, { type: 'conversation', conversation: toSummary(updated) });
  return 'stored';
}
