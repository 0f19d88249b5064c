import { randomBytes } from 'node:crypto';
import { receiptHandleIsInvalid } from './sqs-errors';

/** What a receipt handle identifies: one particular receive of one message. */
export interface ReceiptHandleParts {
  messageId: string;
  receiveToken: string;
}

const DECODED_PATTERN = /^([0-9a-f-]{36})\.([0-9a-f]{32})$/;

export function newReceiveToken(): string {
  return randomBytes(16).toString('hex');
}

export function encodeReceiptHandle(parts: ReceiptHandleParts): string {
  return Buffer.from(`${parts.messageId}.${parts.receiveToken}`, 'utf8').toString('base64url');
}

/** Decodes a handle, throwing ReceiptHandleIsInvalid when it was not made by this server. */
export function decodeReceiptHandle(handle: string): ReceiptHandleParts {
  const decoded = Buffer.from(handle, 'base64url').toString('utf8');
  const match = DECODED_PATTERN.exec(decoded);
  if (!match?.[1] || !match[2]) throw receiptHandleIsInvalid(handle);
  return { messageId: match[1], receiveToken: match[2] };
}
