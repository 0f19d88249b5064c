import type { ErrorCode, ErrorFrame } from './protocol';

/** A send or call the client refused, or the server refused for good. */
export class ParleyClientError extends Error {
  override readonly name = 'ParleyClientError';
  constructor(
    readonly code: ErrorCode | 'not_connected',
    message: string,
    readonly frame?: ErrorFrame,
  ) {
    super(message);
  }
}
