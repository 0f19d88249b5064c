import type { Attachment } from './attachment';
import { BadRequestError, TooLargeError } from './errors';
import type { UserRef } from './identity';

export const MAX_TEXT_CHARS = 8000;
export const MAX_CLIENT_MSG_ID_CHARS = 64;

export interface Message {
  readonly conversationId: string;
  readonly seq: number;
  readonly messageId: string;
  readonly clientMsgId?: string;
  readonly sender: UserRef;
  /** Empty when the message is only an attachment. */
  readonly text: string;
  /** Extension (issue 11): the file this message carries, checked and stored by the server. */
  readonly attachment?: Attachment;
  readonly ts: string;
}

/** What a sender asks to store; the store gives it a seq, an id and a time. */
export interface MessageDraft {
  readonly sender: UserRef;
  readonly text: string;
  readonly clientMsgId?: string;
  readonly attachment?: Attachment;
  /**
   * Extension (issue 14): with a clientMsgId, the sender's cursor when it first sent it. Every
   * stored copy of this send would be above it, so the log looks there instead of keeping a
   * clientMsgId record (adapters/dynamodb/message-log.ts).
   */
  readonly cursor?: number;
}

/**
 * The protocol counts 1-8,000 characters after trimming. Characters are code points, so an
 * emoji counts once. The text is stored as given (not trimmed): it is the sender's words.
 */
export function validateText(text: string): string {
  const length = [...text.trim()].length;
  if (length === 0) throw new BadRequestError('text must not be empty');
  if (length > MAX_TEXT_CHARS) throw new TooLargeError(`text must be at most ${MAX_TEXT_CHARS} characters`);
  return text;
}

/** A message's text when it carries an attachment: optional (empty), else as validateText. */
export function validateCaption(text: string | undefined, hasAttachment: boolean): string {
  if (hasAttachment && (text === undefined || text.trim() === '')) return '';
  if (text === undefined) throw new BadRequestError('text must not be empty');
  return validateText(text);
}
