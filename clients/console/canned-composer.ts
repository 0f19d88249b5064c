import { type FilledText, fillPlaceholders, type PlaceholderValues } from '../../functions/domain/canned-text';

/**
 * The composer's canned-response logic, without the DOM (test/unit/web/canned-composer.test.ts):
 * when the `/` list is open and on what, where an inserted response lands, which option the
 * arrow keys reach, and what the placeholders are filled with.
 */

/** The shortcut being typed: the composer starts with `/` and the caret is still in that first word. */
export function slashQuery(value: string, caret: number): string | undefined {
  const match = /^\/(\S*)$/.exec(value.slice(0, caret));
  return match ? match[1] : undefined;
}

export interface Inserted {
  readonly value: string;
  /** What to select afterwards: the first placeholder left unfilled, else an empty range after the text. */
  readonly selection: { readonly start: number; readonly end: number };
}

/** Replaces the `/shortcut` word the composer starts with (and a space after it) by the filled text. */
export function replaceSlashWord(value: string, filled: FilledText): Inserted {
  const wordEnd = /^\/\S*\s?/.exec(value)?.[0].length ?? 0;
  return insertAt(value, 0, wordEnd, filled);
}

/** Puts the filled text in place of the selection (the browse list inserts where the caret is). */
export function insertAt(value: string, start: number, end: number, filled: FilledText): Inserted {
  const before = value.slice(0, start);
  const after = value.slice(end);
  // A word before the caret gets a space, so the text does not run into it.
  const joiner = before.length > 0 && !/\s$/.test(before) ? ' ' : '';
  const at = before.length + joiner.length;
  const gap = filled.unfilled[0];
  const selection = gap ? { start: at + gap.start, end: at + gap.end } : { start: at + filled.text.length, end: at + filled.text.length };
  return { value: `${before}${joiner}${filled.text}${after}`, selection };
}

/** The option the arrow keys (and Home, End) reach from `active`, wrapping round; -1 with none. */
export function moveActive(active: number, key: string, count: number): number {
  if (count === 0) return -1;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  if (key === 'ArrowDown') return active < 0 ? 0 : (active + 1) % count;
  if (key === 'ArrowUp') return active < 0 ? count - 1 : (active - 1 + count) % count;
  return active;
}

/** What the placeholders stand for in a conversation: what the console knows of its customer, and the agent signed in. */
export function placeholderValues(
  customer: { readonly name?: string | undefined; readonly email?: string | undefined } | undefined,
  agentName: string,
): PlaceholderValues {
  return { 'customer.name': customer?.name, 'customer.email': customer?.email, 'agent.name': agentName };
}

export { fillPlaceholders };
