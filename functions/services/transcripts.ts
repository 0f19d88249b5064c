import { BadRequestError, ForbiddenError, NotFoundError } from '../domain/errors';
import { MAX_TRANSCRIPT_MESSAGES, renderTranscript } from '../domain/transcript';
import type { Message } from '../domain/message';
import type { ServerFrame } from '../protocol/server-frames';
import type { Caller, Ports } from './context';

const PAGE = 200;

/**
 * Emails the whole chat to its customer: to the address given, else the one the conversation
 * holds (pre-chat form or identified token). Open or closed alike. The mailer refuses an
 * address that bounced or complained (a conflict the client shows), and without a sending
 * identity answers `unavailable`.
 */
export async function sendTranscript(
  ports: Ports,
  caller: Caller,
  request: { conversationId: string; email?: string | undefined },
): Promise<ServerFrame> {
  const conversation = await ports.conversations.get(request.conversationId);
  if (!conversation) throw new NotFoundError('No such conversation');
  if (caller.user.role !== 'customer' || conversation.customer.id !== caller.user.id) {
    throw new ForbiddenError('Only the customer of this conversation can ask for its transcript');
  }
  const email = request.email ?? conversation.customer.email;
  if (!email) throw new BadRequestError('Give an email address: this conversation has none on record');
  const messages: Message[] = [];
  let afterSeq = 0;
  let more = true;
  while (more && messages.length < MAX_TRANSCRIPT_MESSAGES) {
    const page = await ports.conversations.listMessages(
      conversation.id,
      afterSeq,
      Math.min(PAGE, MAX_TRANSCRIPT_MESSAGES - messages.length),
    );
    messages.push(...page.messages);
    more = page.more && page.messages.length > 0;
    afterSeq = page.messages.at(-1)?.seq ?? afterSeq;
  }
  const mail = renderTranscript(conversation, messages, more);
  const sent = await ports.mailer.send({ to: email, subject: mail.subject, text: mail.text, html: mail.html, purpose: 'transcript' });
  ports.log.info('Transcript emailed', { conversationId: conversation.id, messages: messages.length, messageId: sent.messageId });
  return { type: 'transcript', conversationId: conversation.id, email };
}
