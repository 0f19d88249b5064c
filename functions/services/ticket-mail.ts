import { ConflictError, UnavailableError } from '../domain/errors';
import type { MailSuppressedError } from '../domain/mail';
import type { Message } from '../domain/message';
import { QUOTED_MESSAGES, replyMailText, replySubject } from '../domain/ticket';
import type { Ticket } from '../ports/ticket-store';
import type { Ports } from './context';

/** How soon a client may retry a reply whose email was not sent. */
const RESEND_AFTER_MS = 30_000;

/** A ticket reply that is stored but could not be emailed; resending it (same clientMsgId) retries the email. */
export class ReplyNotEmailedError extends UnavailableError {
  constructor(seq: number, cause: unknown) {
    super(
      `The reply was saved as message ${seq} but the email was not sent (${cause instanceof Error ? cause.message : String(cause)}); ` +
        'send the same reply again (same clientMsgId) to retry the email',
      RESEND_AFTER_MS,
      { cause },
    );
  }
}

/** A ticket reply that is stored but not emailed because the customer's address bounced or complained: retrying will not help. */
export class ReplyToSuppressedAddressError extends ConflictError {
  constructor(seq: number, cause: MailSuppressedError) {
    super(`The reply was saved as message ${seq} but not emailed: ${cause.message}`);
  }
}

/**
 * Emails an agent's reply with the thread before it (newest first, quoted). The mail carries
 * the reply token, so the customer's answer threads back by token, and answers the customer's
 * last emailed message (In-Reply-To) so their mail client threads it too.
 */
export async function emailReply(ports: Ports, ticket: Ticket, reply: Message): Promise<void> {
  const fromSeq = Math.max(0, reply.seq - QUOTED_MESSAGES - 1);
  const { messages } = await ports.conversations.listMessages(ticket.id, fromSeq, QUOTED_MESSAGES + 1);
  const earlier = messages.filter((message) => message.seq < reply.seq);
  await ports.mailer.send({
    to: ticket.ticket.email,
    subject: replySubject(ticket.ticket.subject, ticket.id),
    text: replyMailText(reply, earlier),
    replyToken: ticket.ticket.replyToken,
    ...(ticket.ticket.lastInboundMessageId ? { inReplyTo: ticket.ticket.lastInboundMessageId } : {}),
    purpose: 'ticket-reply',
  });
}
