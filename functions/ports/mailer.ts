/**
 * Outbound email (SES v2 on AWS, the local mail endpoint in the local stack). The adapter
 * owns the sender identity, the configuration set and the reply address: a mail with a
 * `replyToken` gets `Reply-To: reply+<token>@<inbound domain>`, and an inbound reply to
 * that address is threaded back by the token (services/ticket-replies.ts), never by subject.
 */
export interface OutboundMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Threads replies back to a ticket (see above). */
  readonly replyToken?: string;
  /** Message-ID of the mail this one answers, so mail clients thread the conversation. */
  readonly inReplyTo?: string;
  /** What the mail is, for SES tags and the local mail page (e.g. `ticket-reply`, `transcript`). */
  readonly purpose: string;
}

export interface SentMail {
  /** The provider's message id (SES MessageId). */
  readonly messageId: string;
}

export interface Mailer {
  send(mail: OutboundMail): Promise<SentMail>;
}
