import * as z from '../shared/zod';
import { DomainError } from './errors';
import { BOT_SENDER_ID, type UserRef } from './identity';
import { MAX_TEXT_CHARS } from './message';
import { PatternError, compilePattern, MAX_PATTERN_CHARS, type SafePattern } from './safe-pattern';

/**
 * Auto-replies of a skill: a welcome message, the bot's name, and FAQ rules answering by
 * keyword or pattern (docs/auto-replies.md). Pure: validation and matching, no I/O.
 */
export const REPLY_LOCALES = ['en', 'zh-CN'] as const;
export type ReplyLocale = (typeof REPLY_LOCALES)[number];

export const MAX_RULES = 50;
export const MAX_KEYWORDS_PER_RULE = 20;
export const MAX_KEYWORD_CHARS = 100;
export const MAX_ANSWER_CHARS = 2000;
export const MAX_BOT_NAME_CHARS = 60;
/** The whole settings as stored, in UTF-8: well inside DynamoDB's 400 KB item (50 long Chinese answers in two languages would not be). */
export const MAX_AUTO_REPLIES_BYTES = 300_000;
/** The skill name whose auto-replies every skill without its own uses. */
export const DEFAULT_AUTO_REPLIES_SKILL = '_default';
export const DEFAULT_BOT_NAME = 'Parley Bot';
/** The sender id of bot messages (reserved: no staff account may take it). */
export const BOT_ID = BOT_SENDER_ID;

const codePoints = (text: string) => [...text].length;
const trimmedText = (label: string, max: number) =>
  z.string().check(
    z.refine((text) => text.trim().length > 0, `${label} must not be empty`),
    z.refine((text) => codePoints(text.trim()) <= max, `${label} must be at most ${max} characters`),
  );

const answerText = trimmedText('an answer', MAX_ANSWER_CHARS);
const keyword = trimmedText('a keyword', MAX_KEYWORD_CHARS);

export const autoReplyRuleSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,40}$/, 'a rule id is 1-40 letters, digits, - or _')),
    keywords: z.optional(z.array(keyword).check(z.minLength(1), z.maxLength(MAX_KEYWORDS_PER_RULE))),
    pattern: z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_PATTERN_CHARS))),
    answer: z.strictObject({ en: answerText, 'zh-CN': z.optional(answerText) }),
  })
  .check(z.refine((rule) => rule.keywords !== undefined || rule.pattern !== undefined, 'a rule needs keywords or a pattern'));

export const autoRepliesSchema = z.strictObject({
  welcome: z.optional(z.strictObject({ en: z.optional(answerText), 'zh-CN': z.optional(answerText) })),
  botName: z.optional(trimmedText('botName', MAX_BOT_NAME_CHARS)),
  rules: z.array(autoReplyRuleSchema).check(z.maxLength(MAX_RULES, `at most ${MAX_RULES} rules`)),
});

export type AutoReplyRule = z.infer<typeof autoReplyRuleSchema>;
export type AutoReplies = z.infer<typeof autoRepliesSchema>;

/** A rule the admin wrote that cannot be saved (names the rule). */
export class AutoReplyRuleError extends DomainError {
  override readonly name = 'AutoReplyRuleError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad_request', message, options);
  }
}

/**
 * Checks what `autoRepliesSchema` cannot: rule ids are unique and every pattern compiles in
 * RE2. Throws AutoReplyRuleError naming the first bad rule.
 */
export function assertRulesUsable(settings: AutoReplies): void {
  const bytes = new TextEncoder().encode(JSON.stringify(settings)).length;
  if (bytes > MAX_AUTO_REPLIES_BYTES) {
    throw new AutoReplyRuleError(`the auto-replies take ${bytes} bytes; at most ${MAX_AUTO_REPLIES_BYTES} can be saved (shorten answers)`);
  }
  const seen = new Set<string>();
  settings.rules.forEach((rule, index) => {
    const name = `rule ${index + 1} ("${rule.id}")`;
    if (seen.has(rule.id)) throw new AutoReplyRuleError(`${name}: another rule has the same id`);
    seen.add(rule.id);
    if (rule.pattern === undefined) return;
    try {
      compilePattern(rule.pattern);
    } catch (error) {
      if (error instanceof PatternError)
        throw new AutoReplyRuleError(`${name}: the pattern is refused: ${error.message}`, { cause: error });
      throw error;
    }
  });
}

/**
 * Text as matching sees it: NFKC folds full-width and compatibility forms (`ＲＥＦＵＮＤ`,
 * `ﾘ`), lower case ignores case, and runs of white space count as one space.
 */
export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

// Scripts written without spaces between words: a keyword in them matches anywhere ("退款" in "我想退款").
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

/** Whether the character at the edge of a keyword joins the text around it into one word. */
function needsBoundary(char: string | undefined): boolean {
  return isWordChar(char) && !UNSPACED_SCRIPT.test(char ?? '');
}

/**
 * A whole-word (or whole-phrase) match of an already-normalized keyword in normalized text:
 * "refund" matches "Refund?" and "a refund please", not "refunded"; keywords in scripts
 * without spaces match inside words. Plain string search: linear work, no user-built regex.
 */
export function containsKeyword(normalizedText: string, normalizedKeyword: string): boolean {
  if (normalizedKeyword.length === 0) return false;
  const checkStart = needsBoundary(charAfter(normalizedKeyword, 0));
  const checkEnd = needsBoundary(charBefore(normalizedKeyword, normalizedKeyword.length));
  for (let at = normalizedText.indexOf(normalizedKeyword); at !== -1; at = normalizedText.indexOf(normalizedKeyword, at + 1)) {
    if (checkStart && isWordChar(charBefore(normalizedText, at))) continue;
    if (checkEnd && isWordChar(charAfter(normalizedText, at + normalizedKeyword.length))) continue;
    return true;
  }
  return false;
}

const isWordChar = (char: string | undefined) => char !== undefined && WORD_CHAR.test(char);

/** The character (code point) ending just before UTF-16 index `at`. */
function charBefore(text: string, at: number): string | undefined {
  if (at <= 0) return undefined;
  const pairStart = at - 2;
  if (pairStart >= 0 && /[\uDC00-\uDFFF]/.test(text[at - 1] ?? '') && /[\uD800-\uDBFF]/.test(text[pairStart] ?? '')) {
    return text.slice(pairStart, at);
  }
  return text[at - 1];
}

/** The character (code point) starting at UTF-16 index `at`. */
function charAfter(text: string, at: number): string | undefined {
  const code = text.codePointAt(at);
  return code === undefined ? undefined : String.fromCodePoint(code);
}

/**
 * Which language a reply is given in: the conversation's locale (from `start.visitor.locale`)
 * when it names Chinese or English; without one, Chinese when the question holds Han
 * characters, else English. Every other locale gets English, the one answer always present.
 */
export function replyLocale(conversationLocale: string | undefined, question?: string): ReplyLocale {
  if (conversationLocale) return conversationLocale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
  if (question && /\p{Script=Han}/u.test(question)) return 'zh-CN';
  return 'en';
}

export interface AutoReplyMatch {
  readonly ruleId: string;
  readonly answer: string;
  readonly locale: ReplyLocale;
}

interface CompiledRule {
  readonly rule: AutoReplyRule;
  readonly keywords: readonly string[];
  readonly pattern?: SafePattern;
}

/** A stored pattern passed RE2 on save; should a later RE2 refuse it, its rule answers by keywords alone rather than stop every chat. */
function compileStored(source: string): SafePattern | undefined {
  try {
    return compilePattern(source);
  } catch (error) {
    if (error instanceof PatternError) return undefined;
    throw error;
  }
}

/** Rules ready to match, compiled once per settings read. */
export class AutoReplyMatcher {
  private readonly compiled: readonly CompiledRule[];

  constructor(readonly settings: AutoReplies) {
    this.compiled = settings.rules.map((rule) => {
      const pattern = rule.pattern === undefined ? undefined : compileStored(rule.pattern);
      return { rule, keywords: (rule.keywords ?? []).map(normalizeForMatching), ...(pattern ? { pattern } : {}) };
    });
  }

  /**
   * The first rule, in the admin's order, any of whose keywords occurs in the question or whose
   * pattern matches it. The question is cut to the protocol's 8,000 characters and normalized
   * (patterns see the NFKC form, not lower-cased: a pattern wanting any case says `(?i)`).
   */
  match(question: string, conversationLocale?: string): AutoReplyMatch | undefined {
    const capped = [...question].slice(0, MAX_TEXT_CHARS).join('');
    const normalized = normalizeForMatching(capped);
    const forPatterns = capped.normalize('NFKC');
    const hit = this.compiled.find(
      (entry) => entry.keywords.some((word) => containsKeyword(normalized, word)) || (entry.pattern?.test(forPatterns) ?? false),
    );
    if (!hit) return undefined;
    const locale = replyLocale(conversationLocale, capped);
    return { ruleId: hit.rule.id, answer: hit.rule.answer[locale] ?? hit.rule.answer.en, locale };
  }

  /** The welcome in the reply locale, else in the other language configured; undefined when none. */
  welcome(conversationLocale: string | undefined, question?: string): string | undefined {
    const welcome = this.settings.welcome;
    if (!welcome) return undefined;
    const locale = replyLocale(conversationLocale, question);
    return welcome[locale] ?? welcome.en ?? welcome['zh-CN'];
  }

  /** Who bot messages are from: a system sender with the configured name. */
  sender(): UserRef {
    return botSender(this.settings);
  }
}

export function botSender(settings: Pick<AutoReplies, 'botName'> | undefined): UserRef {
  return { id: BOT_ID, role: 'system', name: settings?.botName?.trim() || DEFAULT_BOT_NAME };
}

/** Deterministic clientMsgIds, so a retried start or message stores each bot message once. */
export const botMessageIds = {
  /** The bot's answer to the customer message with this seq. */
  answer: (conversationId: string, seq: number) => `bot:${conversationId}:${seq}`,
  welcome: (conversationId: string) => `welcome:${conversationId}`,
  /** The system notice when a bot conversation joins the queue (it does so once). */
  handoff: (conversationId: string) => `notice:handoff:${conversationId}`,
};

export const HANDOFF_NOTICE = 'Connecting you with a person. Please wait; an agent will answer here.';
