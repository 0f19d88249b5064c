/**
 * What staff see about the customer behind a conversation (issue 10): where the chat started
 * (page, referrer, browser) and the attributes the embedding site vouches for in its
 * identified-customer token. Both are snapshots taken when the conversation opens.
 */

export const MAX_URL_CHARS = 2000;
export const MAX_USER_AGENT_CHARS = 300;
export const MAX_ATTRS = 20;
export const ATTR_KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,31}$/;
export const MAX_ATTR_STRING_CHARS = 200;

export type AttrValue = string | number | boolean;
/** Identified-customer attributes: at most 20 keys, string/number/boolean values. */
export type CustomerAttrs = Readonly<Record<string, AttrValue>>;

/** Where the visitor started the chat, from `start.visitor` (the locale is kept on the conversation itself). */
export interface VisitorContext {
  readonly page?: string;
  readonly referrer?: string;
  readonly userAgent?: string;
  readonly timeZone?: string;
}

/** Control characters (C0, DEL, C1) never belong in a URL or user agent shown to staff. */
const CONTROL_CHARACTERS = /\p{Cc}/u;

/** Why a page or referrer URL is refused, or undefined: absolute http(s), at most 2,000 characters. */
export function pageUrlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_CHARS) return `must be at most ${MAX_URL_CHARS} characters`;
  if (CONTROL_CHARACTERS.test(value)) return 'must not contain control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  return undefined;
}

/** Why a user agent is refused, or undefined: 1-300 characters after trimming, no control characters. */
export function userAgentProblem(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) return 'must not be empty';
  if (trimmed.length > MAX_USER_AGENT_CHARS) return `must be at most ${MAX_USER_AGENT_CHARS} characters`;
  if (CONTROL_CHARACTERS.test(trimmed)) return 'must not contain control characters';
  return undefined;
}

/** Why an `attrs` claim is refused, or undefined when it is a valid CustomerAttrs. */
export function customerAttrsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'attrs must be an object';
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRS) return `attrs may hold at most ${MAX_ATTRS} keys (it has ${entries.length})`;
  for (const [key, item] of entries) {
    if (!ATTR_KEY_PATTERN.test(key)) return `attrs key "${key.slice(0, 40)}" must match ${ATTR_KEY_PATTERN.source}`;
    if (typeof item === 'string') {
      if (item.length > MAX_ATTR_STRING_CHARS) return `attrs.${key} must be at most ${MAX_ATTR_STRING_CHARS} characters`;
    } else if (typeof item === 'number') {
      if (!Number.isFinite(item)) return `attrs.${key} must be a finite number`;
    } else if (typeof item !== 'boolean') {
      return `attrs.${key} must be a string, number or boolean`;
    }
  }
  return undefined;
}
