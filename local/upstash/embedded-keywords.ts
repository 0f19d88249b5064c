/**
 * Upper-cases option keywords before they reach the embedded engine: `@upstash/redis`
 * sends them in lower case (`["zrange","z",0,-1,"rev"]`) and ioredis-mock mostly
 * recognises upper case only. Only tokens in keyword positions change; a keyword's own
 * arguments (and every value before the options) are left untouched. SET, ZADD and the
 * EXPIRE family parse their options themselves (see their emulations).
 */

/** Keyword -> number of arguments that follow it. */
type KeywordTable = Readonly<Record<string, number>>;

interface KeywordSpec {
  /** Index (into the arguments after the command name) where options may start. */
  from: number;
  /** Exclusive end of the option region, when options are followed by values. */
  to?: number;
  keywords: KeywordTable;
}

const SCAN_KEYWORDS: KeywordTable = { MATCH: 1, COUNT: 1, TYPE: 1, NOVALUES: 0 };
const RANGE_BY_SCORE_KEYWORDS: KeywordTable = { WITHSCORES: 0, LIMIT: 2 };

const SPECS: Readonly<Record<string, KeywordSpec>> = {
  getex: { from: 1, keywords: { EX: 1, PX: 1, EXAT: 1, PXAT: 1, PERSIST: 0 } },
  zrange: { from: 3, keywords: { BYSCORE: 0, BYLEX: 0, REV: 0, LIMIT: 2, WITHSCORES: 0 } },
  zrevrange: { from: 3, keywords: { WITHSCORES: 0 } },
  zrangebyscore: { from: 3, keywords: RANGE_BY_SCORE_KEYWORDS },
  zrevrangebyscore: { from: 3, keywords: RANGE_BY_SCORE_KEYWORDS },
  zrangebylex: { from: 3, keywords: { LIMIT: 2 } },
  zrevrangebylex: { from: 3, keywords: { LIMIT: 2 } },
  scan: { from: 1, keywords: SCAN_KEYWORDS },
  hscan: { from: 2, keywords: SCAN_KEYWORDS },
  sscan: { from: 2, keywords: SCAN_KEYWORDS },
  zscan: { from: 2, keywords: SCAN_KEYWORDS },
  linsert: { from: 1, to: 2, keywords: { BEFORE: 0, AFTER: 0 } },
  lmove: { from: 2, to: 4, keywords: { LEFT: 0, RIGHT: 0 } },
  lpos: { from: 2, keywords: { RANK: 1, COUNT: 1, MAXLEN: 1 } },
};

export function normalizeKeywords(name: string, args: readonly string[]): string[] {
  const spec = SPECS[name];
  if (!spec) return [...args];
  const normalized = [...args];
  const end = Math.min(spec.to ?? normalized.length, normalized.length);
  for (let index = spec.from; index < end; index += 1) {
    const token = normalized[index];
    if (token === undefined) break;
    const upper = token.toUpperCase();
    const argumentCount = spec.keywords[upper];
    if (argumentCount === undefined) continue;
    normalized[index] = upper;
    index += argumentCount;
  }
  return normalized;
}
