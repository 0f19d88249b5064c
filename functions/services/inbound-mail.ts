import { createHash } from 'node:crypto';
import { MAX_TEXT_CHARS } from '../domain/message';
import { findReplyToken, stripQuotedReply } from '../domain/mail-reply';
import type { Ports } from './context';
import { receiveTicketReply, type InboundReplyOutcome } from './ticket-replies';

/** Where SES receiving stored one message. */
export interface InboundMailLocation {
  readonly bucket: string;
  readonly key: string;
}

export interface ParsedInboundMail {
  readonly messageId?: string;
  readonly from?: { readonly address: string; readonly name?: string };
  readonly recipients: readonly string[];
  readonly text: string;
}

/**
 * What became of one inbound mail. Everything but a dependency failure is final: a mail that
 * cannot be threaded (no token, unknown token, nothing new in it) is logged and dropped, so
 * a stray mail never turns into a retry storm.
 */
export type InboundMailOutcome = InboundReplyOutcome | 'gone' | 'no-token' | 'no-sender' | 'empty';

export interface InboundMailDeps {
  readonly parse: (raw: Buffer) => Promise<ParsedInboundMail>;
  /** MAIL_REPLY_DOMAIN: only reply+<token>@ this domain is a ticket reply (any domain when unset). */
  readonly replyDomain?: string | undefined;
}

export async function processInboundMail(ports: Ports, deps: InboundMailDeps, location: InboundMailLocation): Promise<InboundMailOutcome> {
  const raw = await ports.inboundMail.read(location.bucket, location.key);
  if (!raw) {
    ports.log.warn('Inbound mail object is gone; nothing to do', { ...location });
    return 'gone';
  }
  const mail = await deps.parse(raw);
  const replyToken = findReplyToken(mail.recipients, deps.replyDomain);
  if (!replyToken) {
    ports.log.warn('Inbound mail has no reply token; dropped', { ...location, recipients: mail.recipients.length });
    return 'no-token';
  }
  if (!mail.from) {
    ports.log.warn('Inbound mail has no sender; dropped', { ...location });
    return 'no-sender';
  }
  const text = [...stripQuotedReply(mail.text)].slice(0, MAX_TEXT_CHARS).join('');
  if (text.trim().length === 0) {
    ports.log.warn('Inbound mail holds no new text above the quoted thread; dropped', { ...location });
    return 'empty';
  }
  // A redelivered mail has the same Message-ID; one without gets a stable id from its bytes.
  const messageId = mail.messageId ?? `<sha256-${createHash('sha256').update(raw).digest('hex')}@parley.invalid>`;
  const outcome = await receiveTicketReply(ports, {
    replyToken,
    fromEmail: mail.from.address,
    ...(mail.from.name ? { fromName: mail.from.name } : {}),
    text,
    messageId,
    receivedAt: ports.clock.now().toISOString(),
  });
  if (outcome === 'unknown-token')
    ports.log.warn('Inbound mail for an unknown reply token; dropped', { ...location, replyTokenPrefix: replyToken.slice(0, 4) });
  else ports.log.info('Inbound mail threaded', { ...location, outcome });
  return outcome;
}
