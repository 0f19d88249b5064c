import { MailSuppressedError } from '../domain/mail';
import type { EmailAddressStatus } from '../ports/email-addresses';
import type { Mailer } from '../ports/mailer';

/**
 * Every send first asks the address store: an address that bounced or complained is refused
 * with MailSuppressedError (a conflict, not retried), so nothing keeps mailing into SES's
 * suppression and hurting the sending reputation.
 */
export function refusingSuppressed(mailer: Mailer, addresses: EmailAddressStatus): Mailer {
  return {
    async send(mail) {
      const status = await addresses.statusOf(mail.to);
      if (status !== 'ok') throw new MailSuppressedError(mail.to.toLowerCase(), status);
      return mailer.send(mail);
    },
  };
}
