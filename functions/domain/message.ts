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
  readonly text: string;
  readonly ts: string;
}

/** What a sender asks to store; the store gives it a seq, an id and a time. */
export interface MessageDraft {
  readonly sender: UserRef;
  readonly text: string;
  readonly clientMsgId?: string;
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
