import type { IncomingMessage } from 'node:http';

export interface CorsPolicy {
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

export const DEFAULT_CORS_ALLOW_HEADERS = ['authorization', 'content-type'] as const;
export const DEFAULT_CORS_MAX_AGE_SECONDS = 600;

export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
}

/** The Access-Control-Allow-Origin value for this origin, or undefined when it is not allowed. */
function allowedOrigin(policy: CorsPolicy, origin: string): string | undefined {
  if (policy.allowOrigins.includes('*')) return '*';
  return policy.allowOrigins.includes(origin) ? origin : undefined;
}

/** Headers HTTP API adds to an ordinary response when the request carried an allowed Origin. */
export function corsResponseHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  const allowed = allowedOrigin(policy, origin);
  if (allowed === undefined) return {};
  return allowed === '*' ? { 'access-control-allow-origin': '*' } : { 'access-control-allow-origin': allowed, vary: 'Origin' };
}

/** HTTP API answers preflights itself (204); a disallowed origin simply gets no CORS headers. */
export function preflightHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  const base = corsResponseHeaders(policy, origin);
  if (base['access-control-allow-origin'] === undefined) return {};
  return {
    ...base,
    'access-control-allow-methods': policy.allowMethods.join(','),
    'access-control-allow-headers': policy.allowHeaders.join(','),
    'access-control-max-age': String(policy.maxAgeSeconds),
  };
}
