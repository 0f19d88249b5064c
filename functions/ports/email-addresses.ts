/**
 * What Parley knows about a recipient address from SES's bounce and complaint events. An
 * address that bounced permanently or complained is never mailed again (SES would count
 * every further send against the account's reputation); supervisors see the list.
 */
export type EmailAddressState = 'ok' | 'bounced' | 'complained';
export type SuppressionReasonKind = Exclude<EmailAddressState, 'ok'>;

export interface SuppressedAddress {
  /** Lower-cased. */
  readonly email: string;
  readonly status: SuppressionReasonKind;
  /** What SES said (bounce type and diagnostic, or the complaint's feedback type). */
  readonly reason: string;
  /** When SES reported it (ISO 8601). */
  readonly at: string;
}

export interface SuppressionPage {
  readonly addresses: SuppressedAddress[];
  /** Opaque cursor for the next page, when there is one. */
  readonly next?: string;
}

/** The port part B reads (`emailStatus` on a ticket) and the mail-events handler writes. */
export interface EmailAddressStatus {
  /** `ok` for an address no event marked. */
  statusOf(email: string): Promise<EmailAddressState>;
  /** Marks the address; a complaint is never downgraded to a bounce. Safe to repeat. */
  mark(entry: SuppressedAddress): Promise<void>;
  /** Marked addresses, by address, a page at a time. */
  listSuppressed(limit: number, cursor?: string): Promise<SuppressionPage>;
}
