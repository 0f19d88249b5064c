import type { IssuedToken } from './http-api';

/** Tokens this close to expiry are not reused for a new connection. */
const EXPIRY_MARGIN_MS = 60_000;

/** A token kept in localStorage so a reload keeps the same identity (and its conversation). */
export class StoredToken {
  /**
   * `accepts` can refuse a stored token the server would refuse anyway (e.g. one signed by an
   * older deployment), so the client starts afresh instead of retrying it until it expires.
   */
  constructor(
    private readonly storage: Storage | undefined,
    private readonly key: string,
    private readonly accepts: (token: string) => boolean = () => true,
  ) {}

  /** The stored token if it is still good for a while, else undefined. */
  read(now = Date.now()): IssuedToken | undefined {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return undefined;
      const value = JSON.parse(raw) as Partial<IssuedToken>;
      if (typeof value.token !== 'string' || typeof value.expiresAt !== 'string' || !value.user) return undefined;
      if (Date.parse(value.expiresAt) - EXPIRY_MARGIN_MS <= now) return undefined;
      if (!this.accepts(value.token)) return undefined;
      return value as IssuedToken;
    } catch {
      return undefined;
    }
  }

  write(token: IssuedToken): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(token));
    } catch {
      // Storage full or disabled: the identity lasts as long as the page.
    }
  }

  clear(): void {
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // Nothing stored.
    }
  }
}

/** localStorage if the page may use it (sandboxed frames and some private modes throw). */
export function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** The protected header of a JWT, read without verifying; undefined if unreadable. */
export function unverifiedHeader(token: string): Record<string, unknown> | undefined {
  return decodeSegment(token.split('.')[0]);
}

/**
 * Parley signs its guest tokens with ES256 (docs/security.md, Signing keys). A stored guest
 * token with any other algorithm was issued by a deployment before that and is refused.
 */
export function isCurrentGuestToken(token: string): boolean {
  return unverifiedHeader(token)?.alg === 'ES256';
}

/** The claims of a JWT, read without verifying (the server verifies); undefined if unreadable. */
export function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  return decodeSegment(token.split('.')[1]);
}

/** One base64url JSON segment of a JWT as an object; undefined if it is not one. */
function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const json = decodeURIComponent(
      [...atob(segment.replace(/-/g, '+').replace(/_/g, '/'))].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join(''),
    );
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
