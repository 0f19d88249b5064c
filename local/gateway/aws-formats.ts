import { randomInt } from 'node:crypto';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const pad2 = (value: number): string => String(value).padStart(2, '0');

/** API Gateway's `requestTime` / `time` format: `27/Nov/2026:08:04:07 +0000` (always UTC). */
export function formatRequestTime(date: Date): string {
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  const day = pad2(date.getUTCDate());
  const time = `${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
  return `${day}/${month}/${date.getUTCFullYear()}:${time} +0000`;
}

/**
 * A 16-character id shaped like API Gateway's connection, request and message ids
 * (`K6ZlNc3voAMCJJQ=`). Real ids are base64; this keeps to alphanumerics plus the trailing `=`
 * so ids never need escaping in management API paths built by hand.
 */
export function newGatewayId(): string {
  let id = '';
  for (let index = 0; index < 15; index += 1) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return `${id}=`;
}
