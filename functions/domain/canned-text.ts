/**
 * The text side of canned responses, shared by the server (validation on save) and the
 * console (filling when inserted, finding by shortcut): pure, no imports, so the console
 * bundles it without the server's schema library.
 */

/** The placeholders a canned response may hold; anything else in braces is refused on save. */
export const CANNED_PLACEHOLDERS = ['customer.name', 'customer.email', 'agent.name'] as const;
export type CannedPlaceholder = (typeof CANNED_PLACEHOLDERS)[number];

/** `{name}` or `{name.part}`: what reads as a placeholder (a lone brace or `{ a b }` is just text). */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/g;

const isKnown = (name: string): name is CannedPlaceholder => (CANNED_PLACEHOLDERS as readonly string[]).includes(name);

/** The placeholders in `text` that are not in CANNED_PLACEHOLDERS, each once, in order of appearance. */
export function unknownPlaceholders(text: string): string[] {
  const unknown = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) if (!isKnown(match[1]!)) unknown.add(`{${match[1]}}`);
  return [...unknown];
}

export type PlaceholderValues = Partial<Record<CannedPlaceholder, string | undefined>>;

export interface FilledText {
  readonly text: string;
  /** Where placeholders without a value were left as written, so the agent can type over them. */
  readonly unfilled: ReadonlyArray<{ readonly start: number; readonly end: number }>;
}

/**
 * Fills the known placeholders that have a non-blank value; the others stay as written (and
 * are reported), so nothing is silently dropped from a sentence like "Hello {customer.name},".
 */
export function fillPlaceholders(text: string, values: PlaceholderValues): FilledText {
  const unfilled: Array<{ start: number; end: number }> = [];
  let out = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    const value = isKnown(name) ? values[name]?.trim() : undefined;
    out += text.slice(last, match.index);
    if (value) out += value;
    else {
      unfilled.push({ start: out.length, end: out.length + match[0].length });
      out += match[0];
    }
    last = match.index + match[0].length;
  }
  return { text: out + text.slice(last), unfilled };
}

/** What the composer's `/` list and the browse search need of a canned response. */
export interface CannedEntry {
  readonly shortcut: string;
  readonly title: string;
}

/**
 * The entries matching what the agent typed, best first: shortcut starting with it, then
 * shortcut containing it, then title containing it (case and width ignored); each group
 * keeps the list's order. An empty query matches everything.
 */
export function matchCanned<T extends CannedEntry>(entries: readonly T[], query: string): T[] {
  const wanted = fold(query);
  if (wanted === '') return [...entries];
  const rank = (entry: T): number => {
    const shortcut = fold(entry.shortcut);
    if (shortcut.startsWith(wanted)) return 0;
    if (shortcut.includes(wanted)) return 1;
    if (fold(entry.title).includes(wanted)) return 2;
    return 3;
  };
  return entries
    .map((entry, index) => ({ entry, index, rank: rank(entry) }))
    .filter((candidate) => candidate.rank < 3)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((candidate) => candidate.entry);
}

const fold = (text: string) => text.normalize('NFKC').toLowerCase().trim();
