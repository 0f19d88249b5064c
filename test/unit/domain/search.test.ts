import { describe, expect, it } from 'vitest';
import type { User } from '../../../functions/domain/identity';
import {
  customerTerms,
  decodeCursor,
  encodeCursor,
  highlight,
  hitSortKey,
  MAX_TERMS_PER_MESSAGE,
  messageTerms,
  parseSearchQuery,
  searchScopeOf,
  snippetAround,
  tokenize,
} from '../../../functions/domain/search';

const staff = (role: User['role'], id = 'kim'): User => ({ id, role, name: 'Kim', skills: [] });

describe('tokenize', () => {
  it('lower-cases, folds accents and width, keeps numbers, drops punctuation and stopwords', () => {
    expect(tokenize('The CAFÉ refund for order #1234, please!')).toEqual(['cafe', 'refund', 'order', '1234', 'please']);
    expect(tokenize('ＲＥＦＵＮＤ naïve')).toEqual(['refund', 'naive']);
  });

  it('gives each word once, in order of first appearance', () => {
    expect(tokenize('refund refund Refund order')).toEqual(['refund', 'order']);
  });

  it('splits Chinese text without spaces into words', () => {
    const words = tokenize('我想退款，订单1234');
    expect(words).toContain('退款');
    expect(words).toContain('1234');
  });

  it('indexes at most MAX_TERMS_PER_MESSAGE distinct words of a long message', () => {
    const text = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    expect(messageTerms(text)).toHaveLength(MAX_TERMS_PER_MESSAGE);
    expect(messageTerms(text)[0]).toBe('w:word0');
  });
});

describe('customerTerms', () => {
  it('finds a customer by id, lower-cased email and every prefix of each name word', () => {
    const terms = customerTerms({ id: 'site:42', name: 'Ann Lee', emails: ['Ann@Example.com'] });
    expect(terms).toEqual(['c:site:42', 'e:ann@example.com', 'n:a', 'n:an', 'n:ann', 'n:l', 'n:le', 'n:lee']);
  });
});

describe('parseSearchQuery', () => {
  it('reads words as an all-words message search', () => {
    expect(parseSearchQuery({ q: 'Refund order 1234' })).toEqual({
      kind: 'terms',
      target: 'messages',
      terms: ['w:refund', 'w:order', 'w:1234'],
    });
  });

  it('reads a conversation id, an email or a customer id in q as an exact lookup', () => {
    expect(parseSearchQuery({ q: '01jabcdefghjkmnpqrstvwxyz0' })).toEqual({
      kind: 'conversation',
      conversationId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
    });
    expect(parseSearchQuery({ q: 'Ann@Example.com' })).toEqual({ kind: 'terms', target: 'customers', terms: ['e:ann@example.com'] });
    expect(parseSearchQuery({ q: 'guest:01ABC' })).toEqual({ kind: 'terms', target: 'customers', terms: ['c:guest:01ABC'] });
  });

  it('reads customer as a name prefix unless it is an email or id', () => {
    expect(parseSearchQuery({ customer: 'ann l' })).toEqual({ kind: 'terms', target: 'customers', terms: ['n:ann', 'n:l'] });
    expect(parseSearchQuery({ customer: 'site:42' })).toEqual({ kind: 'terms', target: 'customers', terms: ['c:site:42'] });
  });

  it('refuses nothing to search for, both at once, only stopwords, too many words and too long', () => {
    expect(() => parseSearchQuery({})).toThrow(/Send q/);
    expect(() => parseSearchQuery({ q: 'a', customer: 'b' })).toThrow(/not both/);
    expect(() => parseSearchQuery({ q: 'the and of' })).toThrow(/not too common/);
    expect(() => parseSearchQuery({ q: 'one two three four five six' })).toThrow(/at most 5 words/);
    expect(() => parseSearchQuery({ q: 'x'.repeat(201) })).toThrow(/at most 200/);
    expect(() => parseSearchQuery({ customer: '!!!' })).toThrow(/start of a name/);
  });
});

describe('searchScopeOf (the role filter)', () => {
  it('lets supervisors and admins read every posting, an agent only its own scope', () => {
    expect(searchScopeOf(staff('supervisor'))).toBe('all');
    expect(searchScopeOf(staff('admin'))).toBe('all');
    expect(searchScopeOf(staff('agent', 'kim@example.com'))).toBe('a:kim%40example.com');
  });

  it('refuses customers', () => {
    expect(() => searchScopeOf(staff('customer', 'guest:1'))).toThrow(/Only staff/);
  });
});

describe('snippets and highlights', () => {
  it('cuts the text around the word at word boundaries', () => {
    const text = `${'lorem ipsum '.repeat(20)}my refund is late ${'dolor sit '.repeat(20)}`;
    const snippet = snippetAround(text, 'refund', 30);
    expect(snippet).toMatch(/^….*refund.*…$/);
    expect(snippet.length).toBeLessThan(80);
  });

  it('keeps a short text whole', () => {
    expect(snippetAround('Where is my refund?', 'refund')).toBe('Where is my refund?');
  });

  it('marks whole words, or name prefixes', () => {
    expect(highlight('My Refund, refunds', ['refund']).highlights).toEqual([[3, 6]]);
    expect(highlight('Ann Lee', ['an'], true).highlights).toEqual([[0, 2]]);
  });
});

describe('sort keys and cursors', () => {
  it('orders hits by time, then conversation and seq', () => {
    const older = hitSortKey('2026-11-30T10:00:00.000Z', '01B', 9);
    const newer = hitSortKey('2026-11-30T10:00:01.000Z', '01A', 1);
    expect(newer > older).toBe(true);
    expect(hitSortKey('2026-11-30T10:00:00.000Z', '01A', 10) > hitSortKey('2026-11-30T10:00:00.000Z', '01A', 9)).toBe(true);
  });

  it('round-trips a cursor and refuses a forged one', () => {
    const key = hitSortKey('2026-11-30T10:00:00.000Z', '01A', 3);
    expect(decodeCursor(encodeCursor({ key, inclusive: false }))).toEqual({ key, inclusive: false });
    expect(() => decodeCursor(Buffer.from('xSEARCH#all#w:x').toString('base64url'))).toThrow(/Not a search cursor/);
    expect(() => decodeCursor('***')).toThrow(/Not a search cursor/);
  });
});
