import { DomainError } from './errors';

/** Outbound email cannot go out: no identity configured (MAIL_FROM), so nothing is sent. */
export class MailUnavailableError extends DomainError {
  override readonly name: string = 'MailUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/** The recipient bounced or complained before: Parley does not mail it again. */
export class MailSuppressedError extends DomainError {
  override readonly name = 'MailSuppressedError';
  constructor(
    readonly email: string,
    readonly status: 'bounced' | 'complained',
  ) {
    super(
      'conflict',
      status === 'bounced'
        ? `Mail to ${email} bounced before; Parley does not send to it again (ask for another address)`
        : `${email} marked Parley's mail as spam; Parley does not send to it again`,
    );
  }
}

/** SES message tags allow letters, digits, `_` and `-` only (at most 256). */
export function tagValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
  return cleaned.length > 0 ? cleaned : 'none';
}

/** A reply token as it appears in `reply+<token>@`: URL-safe, 8-128 characters. */
export const REPLY_TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,128}$/;

export function replyAddress(token: string, domain: string): string {
  return `reply+${token}@${domain}`;
}

/** The token of a `reply+<token>@<domain>` address, if it is one (domain compared without case). */
export function replyTokenOf(address: string, domain?: string): string | undefined {
  const match = /^reply\+([^@\s]+)@([^@\s]+)$/i.exec(address.trim());
  if (!match) return undefined;
  const [, token, addressDomain] = match as unknown as [string, string, string];
  if (domain !== undefined && addressDomain.toLowerCase() !== domain.toLowerCase()) return undefined;
  return REPLY_TOKEN_PATTERN.test(token) ? token : undefined;
}

/** `<id>` as Message-ID headers write it. */
export function angleBracketed(messageId: string): string {
  const trimmed = messageId.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

/**
 * The line Parley's outbound mail puts above the thread it quotes. An inbound reply is cut
 * there (and at the usual "On ... wrote:" lines), so only the customer's new words are kept.
 */
export const REPLY_MARKER = '##- Please type your reply above this line -##';
