import { MailUnavailableError } from '../../domain/mail';
import type { Mailer, OutboundMail, SentMail } from '../../ports/mailer';

/** No MAIL_FROM: maps to `unavailable` (HTTP 503) with this message, so nothing fails silently. */
export class MailNotConfiguredError extends MailUnavailableError {
  override readonly name = 'MailNotConfiguredError';
}

/** The mailer when no sending identity is configured (MAIL_FROM unset; docs/mail.md). */
export const unconfiguredMailer: Mailer = {
  send(_mail: OutboundMail): Promise<SentMail> {
    return Promise.reject(new MailNotConfiguredError('Email is not configured on this deployment (MAIL_FROM is not set)'));
  },
};
