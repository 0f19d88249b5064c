import { ConfigError } from '../../config';
import { DomainError, RateLimitedError, UnavailableError, type ErrorCode } from '../../domain/errors';
import { DependencyError } from '../../ports/errors';

export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryAfterMs?: number;
  /** True when the failure is ours (log it as an error, not as a client mistake). */
  readonly serverFault: boolean;
}

/** The one mapping from anything thrown to the protocol's error codes. */
export function toProtocolError(error: unknown): ProtocolError {
  // Both carry a retry hint; a refusal for lack of a limit store was already logged and counted.
  if (error instanceof RateLimitedError || error instanceof UnavailableError) {
    return { code: error.code, message: error.message, retryAfterMs: error.retryAfterMs, serverFault: false };
  }
  if (error instanceof DomainError) return { code: error.code, message: error.message, serverFault: false };
  if (error instanceof DependencyError) {
    return { code: 'unavailable', message: 'A service Parley depends on is unavailable; it is safe to retry', serverFault: true };
  }
  if (error instanceof ConfigError) return { code: 'internal', message: 'Parley is misconfigured', serverFault: true };
  return { code: 'internal', message: 'Internal error', serverFault: true };
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unknown_action: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};
