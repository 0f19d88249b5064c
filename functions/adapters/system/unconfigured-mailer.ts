import type { Mailer, OutboundMail, SentMail } from '../../ports/mailer';

export class MailNotConfiguredError extends Error {
  override readonly name = 'MailNotConfiguredError';
}

/** Placeholder until outbound email exists (issue 9 part 3 replaces it with SES v2). */
export const unconfiguredMailer: Mailer = {
  send(_mail: OutboundMail): Promise<SentMail> {
    return Promise.reject(new MailNotConfiguredError('Outbound email is not configured'));
  },
};
