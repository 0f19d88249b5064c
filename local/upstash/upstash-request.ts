import type { RedisCommand } from './redis-backend';

/** What one HTTP request to the Upstash REST API asks for. */
export type UpstashRequest =
  | { readonly kind: 'single'; readonly command: RedisCommand }
  | { readonly kind: 'pipeline'; readonly commands: readonly RedisCommand[] }
  | { readonly kind: 'transaction'; readonly commands: readonly RedisCommand[] };

/** A malformed request; answered with 400 and this message. */
export class UpstashRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstashRequestError';
  }
}

/** JSON arguments arrive as strings, numbers or booleans (the client stringifies objects). */
function toArgument(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UpstashRequestError('ERR command arguments must be strings, numbers or booleans');
}

function toCommand(value: unknown): RedisCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw new UpstashRequestError('ERR a command must be a non-empty JSON array, e.g. ["SET","key","value"]');
  }
  return value.map(toArgument);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new UpstashRequestError('ERR request body is not valid JSON');
  }
}

function toCommandList(body: string): RedisCommand[] {
  const parsed = parseJson(body);
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new UpstashRequestError('ERR the body must be a non-empty JSON array of commands');
  }
  return parsed.map(toCommand);
}

/**
 * Parses the REST API's request forms: POST `/` with a JSON command array, POST
 * `/pipeline` and `/multi-exec` with an array of commands, and the path form
 * (`/set/foo/bar`, where a POST body becomes the last argument).
 */
export function parseUpstashRequest(method: string, pathname: string, body: string): UpstashRequest {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/pipeline' || path === '/multi-exec') {
    if (method !== 'POST') throw new UpstashRequestError(`ERR ${path} requires POST`);
    const commands = toCommandList(body);
    return path === '/pipeline' ? { kind: 'pipeline', commands } : { kind: 'transaction', commands };
  }
  if (path === '') {
    if (method !== 'POST') throw new UpstashRequestError('ERR POST a JSON command array, or use the path form /command/arg1/arg2');
    return { kind: 'single', command: toCommand(parseJson(body)) };
  }
  let segments: string[];
  try {
    segments = path.slice(1).split('/').map(decodeURIComponent);
  } catch {
    throw new UpstashRequestError('ERR the request path is not valid URL encoding');
  }
  if (method === 'POST' && body !== '') segments.push(body);
  return { kind: 'single', command: segments };
}
