import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** Error names API Gateway puts in `x-amzn-ErrorType`; the AWS SDK maps responses to exceptions by them. */
export type AwsErrorType =
  | 'BadRequestException'
  | 'ForbiddenException'
  | 'GoneException'
  | 'LimitExceededException'
  | 'NotFoundException'
  | 'PayloadTooLargeException';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * An error as API Gateway's management API sends it. The `x-amzn-ErrorType` header matters:
 * without it the SDK cannot tell a GoneException from any other 410.
 */
export function sendAwsError(
  res: ServerResponse,
  status: number,
  errorType: AwsErrorType,
  message: string | null,
  requestId: string,
): void {
  sendJson(res, status, { message }, { 'x-amzn-ErrorType': errorType, 'x-amzn-RequestId': requestId });
}

const UPGRADE_REFUSAL_MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal server error',
};

/** Answers a WebSocket upgrade request with a plain HTTP error, as API Gateway does, and hangs up. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: UPGRADE_REFUSAL_MESSAGES[status] ?? STATUS_CODES[status] ?? 'Error' });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
      'Connection: close',
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}
