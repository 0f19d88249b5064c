import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AutoReplyMatcher,
  type AutoReplies,
  assertRulesUsable,
  autoRepliesSchema,
  botMessageIds,
  botSender,
  containsKeyword,
  MAX_RULES,
  normalizeForMatching,
  replyLocale,
} from '../../../functions/domain/auto-replies';
import { compilePattern } from '../../../functions/domain/safe-pattern';

const REFUND = { en: 'Refunds take 5 working days.', 'zh-CN': '退款需要 5 个工作日。' };
const settings = (rules: AutoReplies['rules'], extra: Partial<AutoReplies> = {}): AutoReplies => ({ rules, ...extra });
const matcher = (rules: AutoReplies['rules'], extra: Partial<AutoReplies> = {}) => new AutoReplyMatcher(settings(rules, extra));

describe('keyword matching', () => {
  const has = (text: string, word: string) => containsKeyword(normalizeForMatching(text), normalizeForMatching(word));

  it('matches whole words and phrases, ignoring case, width and spacing', () => {
    expect(has('How do I get a REFUND?', 'refund')).toBe(true);
    expect(has('ｒｅｆｕｎｄ please', 'refund')).toBe(true);
    expect(has('I want to reset   my\npassword', 'reset my password')).toBe(true);
    expect(has('refund', 'Refund')).toBe(true);
  });

  it('does not match inside a longer word of a spaced script', () => {
    expect(has('I was refunded', 'refund')).toBe(false);
    expect(has('prerefund', 'refund')).toBe(false);
    expect(has('refunded; then a refund', 'refund')).toBe(true);
  });

  it('matches CJK keywords inside a sentence written without spaces', () => {
    expect(has('我想退款', '退款')).toBe(true);
    expect(has('退款怎么办？', '退款')).toBe(true);
    expect(has('パスワードをリセット', 'パスワード')).toBe(true);
    expect(has('我想付款', '退款')).toBe(false);
  });

  it('treats characters outside the BMP as whole characters at the edges', () => {
    expect(has('😀refund', 'refund')).toBe(true);
    expect(has('𐐨refund', 'refund')).toBe(false); // a Deseret letter (a surrogate pair) joins the word
    expect(has('refund𐐨', 'refund')).toBe(false);
    expect(has('𝐚refund', 'refund')).toBe(false); // NFKC folds the mathematical bold a into a plain a
  });
});

describe('rule matching', () => {
  it('answers with the first matching rule in order', () => {
    const rules = matcher([
      { id: 'refunds', keywords: ['refund', '退款'], answer: REFUND },
      { id: 'billing', keywords: ['refund', 'invoice'], answer: { en: 'Billing answer' } },
    ]);
    expect(rules.match('how do I get a refund?')).toEqual({ ruleId: 'refunds', answer: REFUND.en, locale: 'en' });
    expect(rules.match('where is my invoice')?.ruleId).toBe('billing');
    expect(rules.match('hello there')).toBeUndefined();
  });

  it('answers in the conversation locale, else Chinese for a Chinese question, else English', () => {
    const rules = matcher([
      { id: 'refunds', keywords: ['refund', '退款'], answer: REFUND },
      { id: 'en-only', keywords: ['invoice'], answer: { en: 'Invoices are monthly.' } },
    ]);
    expect(rules.match('我想退款')?.answer).toBe(REFUND['zh-CN']);
    expect(rules.match('我想退款', 'en-GB')?.answer).toBe(REFUND.en);
    expect(rules.match('refund', 'zh-Hans-CN')?.answer).toBe(REFUND['zh-CN']);
    expect(rules.match('invoice', 'zh-CN')).toEqual({ ruleId: 'en-only', answer: 'Invoices are monthly.', locale: 'zh-CN' });
    expect(replyLocale('fr')).toBe('en');
    expect(replyLocale(undefined)).toBe('en');
  });

  it('matches patterns in RE2, case-sensitive unless the pattern says (?i), on the NFKC form', () => {
    const rules = matcher([{ id: 'password', pattern: '(?i)reset.*password', answer: { en: 'Use the reset link.' } }]);
    expect(rules.match('How do I RESET my Password?')?.ruleId).toBe('password');
    expect(rules.match('ｒｅｓｅｔ my password')?.ruleId).toBe('password');
    expect(rules.match('password reset')).toBeUndefined();
    const strict = matcher([{ id: 'order', pattern: '\\bORD-\\d{6}\\b', answer: { en: 'Order found.' } }]);
    expect(strict.match('about ORD-123456 please')?.ruleId).toBe('order');
    expect(strict.match('about ord-123456 please')).toBeUndefined();
  });

  it('gives the welcome in the reply locale, falling back to the other language', () => {
    expect(matcher([], { welcome: { en: 'Hi', 'zh-CN': '你好' } }).welcome('zh-CN')).toBe('你好');
    expect(matcher([], { welcome: { 'zh-CN': '你好' } }).welcome('en')).toBe('你好');
    expect(matcher([], {}).welcome('en')).toBeUndefined();
  });

  it('sends bot messages as a system sender with the bot name, and deterministic ids', () => {
    expect(botSender({ botName: 'Ada' })).toEqual({ id: 'bot', role: 'system', name: 'Ada' });
    expect(botSender(undefined)).toEqual({ id: 'bot', role: 'system', name: 'Parley Bot' });
    expect(botMessageIds.answer('c1', 3)).toBe('bot:c1:3');
  });
});

describe('validation on save', () => {
  const valid = (body: unknown) => {
    const parsed = autoRepliesSchema.parse(body);
    assertRulesUsable(parsed);
    return parsed;
  };
  const refusal = (body: unknown): string => {
    try {
      valid(body);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    throw new Error('accepted');
  };
  const rule = (extra: Record<string, unknown> = {}) => ({ id: 'r1', keywords: ['refund'], answer: { en: 'Yes' }, ...extra });

  it('accepts a full body', () => {
    expect(
      valid({
        welcome: { en: 'Hi', 'zh-CN': '你好' },
        botName: 'Ada',
        rules: [rule(), rule({ id: 'r2', keywords: undefined, pattern: 'a+' })],
      }).rules,
    ).toHaveLength(2);
  });

  it('refuses more than 50 rules, bad answers and keywords', () => {
    const many = Array.from({ length: MAX_RULES + 1 }, (_, index) => rule({ id: `r${index}` }));
    expect(refusal({ rules: many })).toMatch(/50 rules/);
    expect(refusal({ rules: [rule({ answer: { en: '' } })] })).toMatch(/answer/);
    expect(refusal({ rules: [rule({ answer: { en: 'x'.repeat(2001) } })] })).toMatch(/2000/);
    expect(valid({ rules: [rule({ answer: { en: 'x'.repeat(2000) } })] }).rules).toHaveLength(1);
    expect(refusal({ rules: [rule({ keywords: ['k'.repeat(101)] })] })).toMatch(/100/);
    expect(refusal({ rules: [rule({ keywords: Array.from({ length: 21 }, (_, index) => `k${index}`) })] })).toMatch(/20/);
    expect(refusal({ rules: [rule({ keywords: [' '] })] })).toMatch(/keyword/);
    expect(refusal({ rules: [{ id: 'r1', answer: { en: 'Yes' } }] })).toMatch(/keywords or a pattern/);
    expect(refusal({ rules: [rule(), rule()] })).toMatch(/same id/);
    expect(refusal({ rules: [rule({ extra: 1 })] })).toMatch(/extra|Unrecognized/i);
  });

  it('refuses a pattern RE2 cannot run, naming the rule', () => {
    expect(refusal({ rules: [rule(), rule({ id: 'backref', keywords: undefined, pattern: '(a)\\1' })] })).toMatch(
      /rule 2 \("backref"\).*pattern/,
    );
    expect(refusal({ rules: [rule({ pattern: '(?=lookahead)' })] })).toMatch(/rule 1 \("r1"\)/);
    expect(refusal({ rules: [rule({ pattern: '(unclosed' })] })).toMatch(/rule 1/);
  });
});

describe('pattern safety', () => {
  it('runs a classic catastrophic pattern on a long hostile input in linear time', () => {
    const evil = compilePattern('(a+)+$');
    const input = `${'a'.repeat(30_000)}!`;
    const started = performance.now();
    expect(evil.test(input)).toBe(false);
    const elapsed = performance.now() - started;
    // The built-in engine would not finish in our lifetime; RE2 takes milliseconds (budget for a loaded CI box).
    expect(elapsed).toBeLessThan(2_000);
  });

  it('caps the question at 8,000 characters before matching', () => {
    const rules = matcher([{ id: 'late', pattern: 'needle', answer: { en: 'found' } }]);
    expect(rules.match(`${'x'.repeat(8_000)}needle`)).toBeUndefined();
    expect(rules.match(`${'x'.repeat(7_994)}needle`)?.ruleId).toBe('late');
  });

  it('any pattern RE2 accepts matches any input of the protocol size quickly (property)', () => {
    const atoms = fc.constantFrom('a', 'b', '.', '\\w', '\\d', '[ab]', '(a|aa)', '(a+)', '(?i)a', 'x*', '\\s');
    const quantifier = fc.constantFrom('', '*', '+', '?', '{2,5}', '+?');
    const piece = fc.tuple(atoms, quantifier).map(([atom, q]) => `${atom}${q}`);
    const pattern = fc
      .array(piece, { minLength: 1, maxLength: 8 })
      .chain((pieces) => fc.constantFrom(`(${pieces.join('')})+$`, `^(${pieces.join('|')})*$`, pieces.join('')));
    const input = fc
      .tuple(fc.constantFrom('a', 'ab', 'aab', ' ', '退'), fc.integer({ min: 1, max: 8_000 }), fc.constantFrom('', '!', 'b'))
      .map(([unit, count, tail]) => unit.repeat(count).slice(0, 8_000 - 1) + tail);
    let slowest = 0;
    fc.assert(
      fc.property(pattern, input, (source, text) => {
        let compiled: ReturnType<typeof compilePattern>;
        try {
          compiled = compilePattern(source);
        } catch {
          return; // refused on save: never runs
        }
        const started = performance.now();
        compiled.test(text);
        slowest = Math.max(slowest, performance.now() - started);
      }),
      { numRuns: 150 },
    );
    expect(slowest).toBeLessThan(1_000);
  });

  it('matches 50 rules of 20 keywords and a pattern each against a hostile 8,000-character question quickly', () => {
    const rules = Array.from({ length: MAX_RULES }, (_, index) => ({
      id: `r${index}`,
      keywords: Array.from({ length: 20 }, (_, k) => `${'a'.repeat(99)}${k}`),
      pattern: '(a+)+$',
      answer: { en: 'x' },
    }));
    const all = matcher(rules);
    const started = performance.now();
    expect(all.match(`${'a'.repeat(7_999)}!`)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
