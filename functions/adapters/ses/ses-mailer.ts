import { SendEmailCommand, type MessageHeader, type SESv2Client } from '@aws-sdk/client-sesv2';
import { MailUnavailableError, angleBracketed, replyAddress, tagValue } from '../../domain/mail';
import { DependencyError } from '../../ports/errors';
import type { Mailer, OutboundMail, SentMail } from '../../ports/mailer';

/** SES refused or failed the send (throttled, identity not verified, paused account, ...). */
export class SesMailerError extends DependencyError {
  override readonly name = 'SesMailerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ses', message, options);
  }
}

export interface SesMailerOptions {
  /** The verified identity (MAIL_FROM). */
  readonly from: string;
  /** Where replies are received (MAIL_REPLY_DOMAIN); without it a mail asking for replies is refused. */
  readonly replyDomain?: string | undefined;
  /** Its event destination reports bounces and complaints (MAIL_CONFIGURATION_SET). */
  readonly configurationSet?: string | undefined;
}

const UTF8 = 'UTF-8';

/**
 * SES v2 SendEmail with Simple content: SES builds the MIME (and encodes a non-ASCII subject);
 * Simple.Headers carries In-Reply-To/References so mail clients thread a ticket's replies.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesMailerOptions,
  ) {}

  async send(mail: OutboundMail): Promise<SentMail> {
    if (mail.replyToken !== undefined && this.options.replyDomain === undefined) {
      throw new MailUnavailableError('Replies by email are not configured (MAIL_REPLY_DOMAIN is not set)');
    }
    const headers: MessageHeader[] = mail.inReplyTo
      ? [
          { Name: 'In-Reply-To', Value: angleBracketed(mail.inReplyTo) },
          { Name: 'References', Value: angleBracketed(mail.inReplyTo) },
        ]
      : [];
    const command = new SendEmailCommand({
      FromEmailAddress: this.options.from,
      Destination: { ToAddresses: [mail.to] },
      ...(mail.replyToken !== undefined && this.options.replyDomain !== undefined
        ? { ReplyToAddresses: [replyAddress(mail.replyToken, this.options.replyDomain)] }
        : {}),
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: UTF8 },
          Body: {
            Text: { Data: mail.text, Charset: UTF8 },
            ...(mail.html !== undefined ? { Html: { Data: mail.html, Charset: UTF8 } } : {}),
          },
          ...(headers.length > 0 ? { Headers: headers } : {}),
        },
      },
      ...(this.options.configurationSet !== undefined ? { ConfigurationSetName: this.options.configurationSet } : {}),
      EmailTags: [{ Name: 'purpose', Value: tagValue(mail.purpose) }],
    });
    let messageId: string | undefined;
    try {
      messageId = (await this.client.send(command)).MessageId;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw new SesMailerError(`SES SendEmail failed (${name})`, { cause: error });
    }
    if (!messageId) throw new SesMailerError('SES SendEmail answered without a MessageId');
    return { messageId };
  }
}
