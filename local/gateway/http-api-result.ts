/** An HTTP response ready to write: status, headers (multi-valued where needed) and body bytes. */
export interface HttpResponseParts {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

export function jsonResponse(status: number, value: unknown): HttpResponseParts {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)) };
}

export const INTERNAL_SERVER_ERROR = (): HttpResponseParts => jsonResponse(500, { message: 'Internal Server Error' });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const headerValue = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

function structuredResponse(result: Record<string, unknown>): HttpResponseParts | undefined {
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const merged: Record<string, string | string[]> = {};
  if (isRecord(multiValueHeaders)) {
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (Array.isArray(values)) merged[name.toLowerCase()] = values.map(headerValue).filter((v): v is string => v !== undefined);
    }
  }
  if (isRecord(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      const text = headerValue(value);
      if (text !== undefined) merged[name.toLowerCase()] = text;
    }
  }
  if (Array.isArray(cookies)) {
    const setCookies = cookies.filter((cookie): cookie is string => typeof cookie === 'string');
    if (setCookies.length > 0) merged['set-cookie'] = setCookies;
  }
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const bytes = typeof body === 'string' ? Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { status: statusCode, headers: merged, body: bytes };
}

/**
 * Maps a handler's result as HTTP API does for payload format 2.0: an object with
 * `statusCode` is a structured response; any other value is a 200 JSON body (strings as-is,
 * everything else JSON-serialized). A malformed structured response is a 500.
 */
export function httpResponseFromResult(result: unknown): HttpResponseParts {
  if (isRecord(result) && 'statusCode' in result) return structuredResponse(result) ?? INTERNAL_SERVER_ERROR();
  const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? '');
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}
