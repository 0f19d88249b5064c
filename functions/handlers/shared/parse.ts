import type { z } from 'zod';
import { BadRequestError, TooLargeError } from '../../domain/errors';

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
  return value as Record<string, unknown>;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Validates against a schema; oversized text is `too_large`, everything else `bad_request`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const message = issues.slice(0, 3).map(describe).join('; ');
  if (issues.some((issue) => issue.code === 'too_big' && ['text', 'comment', 'note'].includes(String(issue.path[0])))) {
    throw new TooLargeError(message);
  }
  throw new BadRequestError(message);
}
