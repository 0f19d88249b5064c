import { BadRequestError, ForbiddenError } from './errors';
import type { User } from './identity';

/**
 * Search rules (docs/search.md): how text becomes terms, which terms a message or a customer
 * is found by, what a query asks for, who sees which postings, and the snippet shown. Pure:
 * the index (ports/search-index.ts) stores one posting per (scope, term, hit) and the search
 * service intersects posting lists newest first.
 */

/** Longest indexed word (longer words are cut to this). */
export const MAX_TERM_CHARS = 40;
/** Distinct words indexed per message: a message longer than this is found by its first ones. */
export const MAX_TERMS_PER_MESSAGE = 100;
/** Words a query may combine (all must occur in one message). */
export const MAX_QUERY_TERMS = 5;
/** Name prefixes are indexed up to this many characters per word of the name. */
export const MAX_NAME_PREFIX_CHARS = 20;
/** Characters of context either side of the word a posting's snippet is centred on. */
export const SNIPPET_CONTEXT_CHARS = 70;
export const DEFAULT_SEARCH_PAGE = 20;
export const MAX_SEARCH_PAGE = 50;
/** Longest `q` or `customer` accepted. */
export const MAX_QUERY_CHARS = 200;

/**
 * Words too common to be worth a posting list (each would be a hot partition holding most
 * messages): not indexed, and ignored in queries.
 */
const STOPWORDS = new Set(
  'a an and are as at be but by do for from has have i if in is it me my no not of on or our so that the this to was we were will with you your'.split(
    ' ',
  ),
);

const segmenter = new Intl.Segmenter('und', { granularity: 'word' });
// Chinese, Japanese and Korean text has no spaces: the generic segmenter's dictionary splits it.
const cjkSegmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/u;

/** Lower case, compatibility-folded, accents removed: `Café` and `cafe` are the same word. */
export function normalizeWord(word: string): string {
  return word
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .normalize('NFKC');
}

/** A word of `text` with where it is (code units), for snippets and highlights. */
export interface WordSpan {
  readonly term: string;
  readonly index: number;
  readonly length: number;
}

/** Every word of `text` in order, normalized, stopwords included (the snippet needs positions). */
export function wordSpans(text: string): WordSpan[] {
  const spans: WordSpan[] = [];
  for (const part of (CJK.test(text) ? cjkSegmenter : segmenter).segment(text)) {
    if (!part.isWordLike) continue;
    const term = normalizeWord(part.segment).slice(0, MAX_TERM_CHARS);
    if (term !== '') spans.push({ term, index: part.index, length: part.segment.length });
  }
  return spans;
}

/** The distinct searchable words of `text`, in order of first appearance (stopwords dropped). */
export function tokenize(text: string, limit = MAX_TERMS_PER_MESSAGE): string[] {
  const seen = new Set<string>();
  for (const { term } of wordSpans(text)) {
    if (seen.size >= limit) break;
    if (!STOPWORDS.has(term)) seen.add(term);
  }
  return [...seen];
}

/** The kinds of term a posting list is keyed by. */
export type TermKind = 'w' | 'n' | 'e' | 'c';
/** `w:` a word of a message, `n:` a prefix of a word of the customer's name, `e:` an email, `c:` a customer id. */
export const term = (kind: TermKind, value: string): string => `${kind}:${value}`;

export function messageTerms(text: string): string[] {
  return tokenize(text).map((word) => term('w', word));
}

/** What a conversation's customer is found by: id, email(s) and every prefix of each word of the name. */
export function customerTerms(customer: { readonly id: string; readonly name: string; readonly emails: readonly string[] }): string[] {
  const terms = new Set<string>([term('c', customer.id)]);
  for (const email of customer.emails) if (email.trim() !== '') terms.add(term('e', email.trim().toLowerCase()));
  for (const { term: word } of wordSpans(customer.name)) {
    const chars = [...word].slice(0, MAX_NAME_PREFIX_CHARS);
    for (let end = 1; end <= chars.length; end += 1) terms.add(term('n', chars.slice(0, end).join('')));
  }
  return [...terms];
}

/**
 * Whose postings a caller reads: supervisors and admins `all`; an agent only the postings
 * written for conversations it took part in (assigned at some point, or wrote in).
 */
export function searchScopeOf(user: User): string {
  if (user.role === 'supervisor' || user.role === 'admin') return ALL_SCOPE;
  if (user.role === 'agent') return agentScope(user.id);
  throw new ForbiddenError('Only staff can search conversations');
}

export const ALL_SCOPE = 'all';
/** Agent ids are free-form: encoded so a `#` in one cannot reach another's postings. */
export const agentScope = (agentId: string): string => `a:${encodeURIComponent(agentId)}`;

/** The scopes a hit is written to: everyone's, and each agent who took part. */
export function scopesFor(agentIds: Iterable<string>): string[] {
  return [ALL_SCOPE, ...[...new Set(agentIds)].map(agentScope)];
}

/** Sort key of a hit: newest first when read in descending order, unique per message. */
export function hitSortKey(at: string, conversationId: string, seq: number): string {
  return `${at}#${conversationId}#${String(seq).padStart(12, '0')}`;
}

/** What a search request asks for, after reading `q` and `customer`. */
export type SearchQuery =
  | { readonly kind: 'conversation'; readonly conversationId: string }
  | { readonly kind: 'terms'; readonly target: 'messages' | 'customers'; readonly terms: readonly string[] };

const CONVERSATION_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CUSTOMER_ID = /^(guest|site):\S+$/;

/**
 * `q`: words that must all occur in one message, or, on its own, a conversation id, a
 * customer's email or a customer id (`guest:...`, `site:...`). `customer`: a customer's
 * email, id or the start of their name (each word a prefix).
 */
export function parseSearchQuery(input: { readonly q?: string; readonly customer?: string }): SearchQuery {
  const q = input.q?.trim() ?? '';
  const customer = input.customer?.trim() ?? '';
  if (q !== '' && customer !== '') throw new BadRequestError('Send q or customer, not both');
  if (q === '' && customer === '') throw new BadRequestError('Send q (words, a conversation id, an email) or customer');
  const text = q || customer;
  if (text.length > MAX_QUERY_CHARS) throw new BadRequestError(`A search is at most ${MAX_QUERY_CHARS} characters`);
  if (q !== '' && CONVERSATION_ID.test(q)) return { kind: 'conversation', conversationId: q.toUpperCase() };
  if (EMAIL.test(text)) return { kind: 'terms', target: 'customers', terms: [term('e', text.toLowerCase())] };
  if (CUSTOMER_ID.test(text)) return { kind: 'terms', target: 'customers', terms: [term('c', text)] };
  if (q !== '') {
    const words = tokenize(q, MAX_QUERY_TERMS + 1);
    if (words.length === 0) throw new BadRequestError('Search for at least one word that is not too common');
    if (words.length > MAX_QUERY_TERMS) throw new BadRequestError(`A search combines at most ${MAX_QUERY_TERMS} words`);
    return { kind: 'terms', target: 'messages', terms: words.map((word) => term('w', word)) };
  }
  const prefixes = [...new Set(wordSpans(customer).map((span) => [...span.term].slice(0, MAX_NAME_PREFIX_CHARS).join('')))];
  if (prefixes.length === 0) throw new BadRequestError('Send a customer email, id or the start of a name');
  if (prefixes.length > MAX_QUERY_TERMS) throw new BadRequestError(`A name search combines at most ${MAX_QUERY_TERMS} words`);
  return { kind: 'terms', target: 'customers', terms: prefixes.map((prefix) => term('n', prefix)) };
}

/** A stretch of text around a word, with where the query's words are in it. */
export interface Snippet {
  readonly text: string;
  /** [start, length] in code units of `text`, for each matched word. */
  readonly highlights: ReadonlyArray<readonly [number, number]>;
}

/** The text around the first occurrence of `word` (normalized), cut at word boundaries where possible. */
export function snippetAround(text: string, word: string, context = SNIPPET_CONTEXT_CHARS): string {
  const hit = wordSpans(text).find((span) => span.term === word);
  if (!hit || text.length <= context * 2) return text.length <= context * 2 ? text : `${text.slice(0, context * 2)}…`;
  let start = Math.max(0, hit.index - context);
  let end = Math.min(text.length, hit.index + hit.length + context);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < hit.index) start = space + 1;
  }
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > hit.index + hit.length) end = space;
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/**
 * Marks the query's words (normalized) in a stored snippet: whole words, or with `prefixes`
 * the start of each word that begins with one (a name search).
 */
export function highlight(snippet: string, words: readonly string[], prefixes = false): Snippet {
  const highlights: Array<readonly [number, number]> = [];
  for (const span of wordSpans(snippet)) {
    if (!prefixes) {
      if (words.includes(span.term)) highlights.push([span.index, span.length]);
      continue;
    }
    const longest = Math.max(0, ...words.filter((word) => span.term.startsWith(word)).map((word) => [...word].length));
    // The prefix's length in the original text: its characters map one to one unless folding changed them.
    if (longest > 0) highlights.push([span.index, [...span.term].length === span.length ? longest : span.length]);
  }
  return { text: snippet, highlights };
}

/** Where the next page starts: before a hit's sort key, or at it (a search that stopped mid-way). */
export interface SearchPosition {
  readonly key: string;
  readonly inclusive: boolean;
}

const SORT_KEY = /^\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9A-Za-z_-]{1,64}#\d{12}$/;

/** Opaque page cursor (base64url of the position). */
export function encodeCursor(position: SearchPosition): string {
  return Buffer.from(`${position.inclusive ? 'i' : 'x'}${position.key}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): SearchPosition {
  const raw = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const key = raw.slice(1);
  if (!(raw.startsWith('i') || raw.startsWith('x')) || !SORT_KEY.test(key)) throw new BadRequestError('Not a search cursor');
  return { key, inclusive: raw.startsWith('i') };
}
