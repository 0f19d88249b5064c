import type { ServerResponse } from 'node:http';
import { sendJson } from '../gateway/aws-error-response';

/** Error names SES v2 sends in `x-amzn-ErrorType`; the SDK maps them to its exception classes. */
export type SesErrorType = 'BadRequestException' | 'MessageRejected' | 'NotFoundException' | 'TooManyRequestsException';

const STATUS: Record<SesErrorType, number> = {
  BadRequestException: 400,
  MessageRejected: 400,
  NotFoundException: 404,
  TooManyRequestsException: 429,
};

export class SesRequestError extends Error {
  override readonly name = 'SesRequestError';
  constructor(
    readonly type: SesErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** SES v2's REST-JSON error: the type in `x-amzn-ErrorType`, `{"message"}` in the body. */
export function sendSesError(res: ServerResponse, error: SesRequestError, requestId: string): void {
  sendJson(res, STATUS[error.type], { message: error.message }, { 'x-amzn-ErrorType': error.type, 'x-amzn-RequestId': requestId });
}
