import * as z from '../shared/zod';
import { BadRequestError } from './errors';
import { SKILL_PATTERN, type User } from './identity';
import { unknownPlaceholders } from './canned-text';

/**
 * Canned responses (docs/canned-responses.md): short texts agents insert by `/shortcut`,
 * global or of one skill, managed by admins. Pure: validation and who sees which.
 */
export const MAX_CANNED_RESPONSES = 500;
export const MAX_CANNED_TITLE_CHARS = 80;
export const MAX_CANNED_TEXT_CHARS = 2000;
export const CANNED_SHORTCUT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const CANNED_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** The scope name of global responses: a skill name cannot start with `_`. */
export const GLOBAL_CANNED_SCOPE = '_global';

const codePoints = (text: string) => [...text].length;
const boundedText = (label: string, max: number) =>
  z.string().check(
    z.refine((text) => text.trim().length > 0, `${label} must not be empty`),
    z.refine((text) => codePoints(text) <= max, `${label} must be at most ${max} characters`),
  );

/** `PUT /v1/canned-responses/{id}`: the whole response (no skill: global). */
export const cannedResponseBodySchema = z.strictObject({
  shortcut: z
    .string()
    .check(z.regex(CANNED_SHORTCUT_PATTERN, 'shortcut must be 1-32 of a-z, 0-9, _ and -, starting with a letter or digit')),
  title: boundedText('title', MAX_CANNED_TITLE_CHARS),
  text: boundedText('text', MAX_CANNED_TEXT_CHARS),
  skill: z.optional(z.string().check(z.regex(SKILL_PATTERN, 'skill must be a skill name (1-32 of a-z, 0-9, _ and -)'))),
});
export type CannedResponseBody = z.infer<typeof cannedResponseBodySchema>;

export interface CannedResponse extends CannedResponseBody {
  readonly id: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** The `{id}` path parameter. */
export function cannedResponseId(value: string | undefined): string {
  if (value !== undefined && CANNED_ID_PATTERN.test(value)) return value;
  throw new BadRequestError('a canned response id is 1-64 letters, digits, - or _');
}

/** What the schema cannot say: every placeholder is one the console fills. Throws naming the first unknown ones. */
export function assertPlaceholdersKnown(body: CannedResponseBody): void {
  const unknown = unknownPlaceholders(body.text);
  if (unknown.length > 0) {
    throw new BadRequestError(
      `text holds unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known ones are {customer.name}, {customer.email} and {agent.name}`,
    );
  }
}

/** Where a shortcut must be unique: its skill, or the global scope. */
export function cannedScope(skill: string | undefined): string {
  return skill ?? GLOBAL_CANNED_SCOPE;
}

/**
 * Who sees which: agents the global ones and those of the skills they serve; supervisors and
 * admins every one. `skill` narrows to the global ones and that skill's (an agent asking for a
 * skill it does not serve is refused by the caller before this).
 */
export function visibleCannedResponses(user: User, all: readonly CannedResponse[], skill?: string): CannedResponse[] {
  const seesSkill = (owner: string) =>
    skill !== undefined ? owner === skill : user.role === 'supervisor' || user.role === 'admin' || user.skills.includes(owner);
  return all.filter((response) => response.skill === undefined || seesSkill(response.skill)).sort(byScopeThenShortcut);
}

/** Global first, then by skill; within a scope by shortcut. */
function byScopeThenShortcut(a: CannedResponse, b: CannedResponse): number {
  const scopeA = a.skill ?? '';
  const scopeB = b.skill ?? '';
  if (scopeA !== scopeB) return scopeA < scopeB ? -1 : 1;
  return a.shortcut < b.shortcut ? -1 : a.shortcut > b.shortcut ? 1 : 0;
}
