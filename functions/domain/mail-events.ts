import type { SuppressedAddress } from '../ports/email-addresses';

/**
 * SES event publishing (a configuration set's SNS destination) sends `eventType`; identity
 * notifications send `notificationType`. Both carry the same `bounce` / `complaint` bodies.
 * Only a permanent bounce or a complaint marks an address: a transient bounce (mailbox full,
 * greylisting) says nothing about the next send.
 */
interface SesRecipient {
  readonly emailAddress?: unknown;
  readonly diagnosticCode?: unknown;
}

interface SesNotification {
  readonly eventType?: unknown;
  readonly notificationType?: unknown;
  readonly bounce?: { bounceType?: unknown; bounceSubType?: unknown; bouncedRecipients?: unknown; timestamp?: unknown };
  readonly complaint?: { complainedRecipients?: unknown; complaintFeedbackType?: unknown; timestamp?: unknown };
  readonly mail?: { timestamp?: unknown };
}

export type SesEventOutcome =
  | { readonly kind: 'suppress'; readonly addresses: SuppressedAddress[] }
  | { readonly kind: 'ignored'; readonly reason: string };

const recipientsOf = (list: unknown): SesRecipient[] =>
  Array.isArray(list) ? list.filter((item): item is SesRecipient => typeof item === 'object' && item !== null) : [];

const text = (value: unknown, fallback: string) => (typeof value === 'string' && value.length > 0 ? value : fallback);

export function interpretSesEvent(message: unknown, receivedAt: string): SesEventOutcome {
  if (typeof message !== 'object' || message === null) return { kind: 'ignored', reason: 'not an SES notification' };
  const event = message as SesNotification;
  const type = event.eventType ?? event.notificationType;
  if (type === 'Bounce' && event.bounce) {
    const bounceType = text(event.bounce.bounceType, 'Undetermined');
    if (bounceType !== 'Permanent') return { kind: 'ignored', reason: `${bounceType} bounce` };
    const at = text(event.bounce.timestamp, receivedAt);
    const subType = text(event.bounce.bounceSubType, 'General');
    const addresses = recipientsOf(event.bounce.bouncedRecipients)
      .filter((recipient) => typeof recipient.emailAddress === 'string')
      .map((recipient) => ({
        email: (recipient.emailAddress as string).toLowerCase(),
        status: 'bounced' as const,
        reason: `Permanent/${subType}${typeof recipient.diagnosticCode === 'string' ? `: ${recipient.diagnosticCode}` : ''}`,
        at,
      }));
    return addresses.length > 0 ? { kind: 'suppress', addresses } : { kind: 'ignored', reason: 'bounce without recipients' };
  }
  if (type === 'Complaint' && event.complaint) {
    const at = text(event.complaint.timestamp, receivedAt);
    const feedback = text(event.complaint.complaintFeedbackType, 'unspecified');
    const addresses = recipientsOf(event.complaint.complainedRecipients)
      .filter((recipient) => typeof recipient.emailAddress === 'string')
      .map((recipient) => ({
        email: (recipient.emailAddress as string).toLowerCase(),
        status: 'complained' as const,
        reason: `Complaint: ${feedback}`,
        at,
      }));
    return addresses.length > 0 ? { kind: 'suppress', addresses } : { kind: 'ignored', reason: 'complaint without recipients' };
  }
  return { kind: 'ignored', reason: `event type ${String(type)}` };
}
