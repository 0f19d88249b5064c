import type { MessageKey } from '../web/i18n';

export interface OfflineFields {
  readonly name: string;
  readonly email: string;
  readonly message: string;
}

export type FieldErrors = Partial<Record<keyof OfflineFields, MessageKey>>;

/** What the offline form shows: the fields' values, where it is in sending, and why it failed. */
export interface OfflineFormState {
  readonly fields: OfflineFields;
  readonly status: 'editing' | 'sending' | 'sent' | 'failed';
  readonly errors: FieldErrors;
  /** Why the last attempt failed (shown with a retry). */
  readonly failure?: string;
  /** Where the reply goes, once the ticket exists. */
  readonly sentTo?: string;
}

/** The same limits the server applies (names 100, addresses 254, messages 8,000 characters). */
export const OFFLINE_LIMITS = { name: 100, email: 254, message: 8000 } as const;

// Deliberately loose (one @, a dot in the domain, no spaces): the server is the judge.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isEmail(value: string): boolean {
  return value.length <= OFFLINE_LIMITS.email && EMAIL_SHAPE.test(value);
}

export function validateOfflineForm(fields: OfflineFields): FieldErrors {
  const errors: { -readonly [K in keyof OfflineFields]?: MessageKey } = {};
  if (fields.name.trim() === '') errors.name = 'fieldRequired';
  if (fields.email.trim() === '') errors.email = 'fieldRequired';
  else if (!isEmail(fields.email.trim())) errors.email = 'emailInvalid';
  if (fields.message.trim() === '') errors.message = 'fieldRequired';
  else if (fields.message.length > OFFLINE_LIMITS.message) errors.message = 'tooLong';
  return errors;
}

export function trimmed(fields: OfflineFields): OfflineFields {
  return { name: fields.name.trim(), email: fields.email.trim(), message: fields.message.trim() };
}
