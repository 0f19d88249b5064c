import { randomUUID } from 'node:crypto';
import type { SentMailRecord } from './sent-mail';

/**
 * SES's mailbox simulator: mail to these addresses (a `+label` is allowed) is answered with
 * the event SES would publish to the configuration set's destination, in the same JSON
 * (event publishing's `eventType` form).
 */
const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

export type SimulatedOutcome = 'bounce' | 'complaint';

export function simulatedOutcome(address: string): SimulatedOutcome | undefined {
  const match = /^(bounce|complaint)(\+[^@]*)?@(.+)$/i.exec(address.trim());
  if (!match || match[3]?.toLowerCase() !== SIMULATOR_DOMAIN) return undefined;
  return match[1]?.toLowerCase() as SimulatedOutcome;
}

export function simulatedEvent(outcome: SimulatedOutcome, recipient: string, mail: SentMailRecord, at: Date, accountId: string) {
  const timestamp = at.toISOString();
  const common = {
    mail: {
      timestamp: mail.sentAt,
      source: mail.from,
      sendingAccountId: accountId,
      messageId: mail.id,
      destination: mail.to,
      headersTruncated: false,
      commonHeaders: { from: [mail.from], to: mail.to, subject: mail.subject, messageId: mail.id },
      tags: {
        'ses:configuration-set': mail.configurationSet ? [mail.configurationSet] : [],
        purpose: [mail.purpose],
      },
    },
  };
  if (outcome === 'bounce') {
    return {
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
        timestamp,
        feedbackId: `${mail.id}-${randomUUID()}`,
        reportingMTA: 'dsn; local-ses',
      },
      ...common,
    };
  }
  return {
    eventType: 'Complaint',
    complaint: {
      complainedRecipients: [{ emailAddress: recipient }],
      timestamp,
      feedbackId: `${mail.id}-${randomUUID()}`,
      complaintFeedbackType: 'abuse',
      userAgent: 'local-ses',
      arrivalDate: timestamp,
    },
    ...common,
  };
}
