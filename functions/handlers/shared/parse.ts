import type * as z from '../../shared/zod';
import { BadRequestError, TooLargeError } from '../../domain/errors';

const MAX_DEPTH = 8;
// C0 controls other than tab, line feed and carriage return, DEL and the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// Keys that mean something to JavaScript objects; no Parley frame or body uses them.
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(value: string, where: string): void {
  if (LONE_SURROGATE.test(value)) throw new BadRequestError(`${where} holds a lone surrogate (not valid Unicode text)`);
  if (CONTROL_CHARACTER.test(value)) throw new BadRequestError(`${where} holds a control character`);
}

/**
 * Refuses what no schema should ever have to think about: nesting deeper than any frame
 * needs, prototype-polluting keys, control characters and text that is not valid Unicode.
 */
function checkValue(value: unknown, where: string, depth: number): void {
  if (typeof value === 'string') {
    checkString(value, where);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_DEPTH) throw new BadRequestError(`${where} is nested too deeply`);
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkValue(item, `${where}[${index}]`, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (RESERVED_KEYS.has(key)) throw new BadRequestError(`${where} uses the reserved key ${key}`);
    checkString(key, `${where}: a key`);
    checkValue(item, `${where}.${key.slice(0, 32)}`, depth + 1);
  }
}

/** Parses JSON text into a plain object, or throws bad_request. */
export function parseJsonObject(text: string | undefined | null, what: string): Record<string, unknown> {
  if (text === undefined || text === null || text.length === 0) throw new BadRequestError(`${what} is empty`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BadRequestError(`${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${what} must be a JSON object`);
  }
  checkValue(value, what, 1);
  return value as Record<string, unknown>;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Validates against a schema; oversized text or too many sync cursors is `too_large`, everything else `bad_request`. */
export function validate<S extends z.ZodMiniType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const message = issues.slice(0, 3).map(describe).join('; ');
  if (
    issues.some(
      (issue) => issue.code === 'too_big' && ['text', 'comment', 'note', 'cursors', 'noteCursors'].includes(String(issue.path[0])),
    )
  ) {
    throw new TooLargeError(message);
  }
  throw new BadRequestError(message);
}
