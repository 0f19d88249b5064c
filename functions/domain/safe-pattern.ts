import { RE2 } from 're2-wasm';

/**
 * Admin-written patterns run only in RE2 (re2-wasm): matching is linear in the input, and RE2
 * refuses what would need backtracking (backreferences, lookaround). A pattern is never handed
 * to the built-in RegExp engine, whose worst case on such patterns is exponential.
 */
export const MAX_PATTERN_CHARS = 500;

export class PatternError extends Error {
  override readonly name = 'PatternError';
}

export interface SafePattern {
  readonly source: string;
  test(text: string): boolean;
}

/** Compiles a pattern in RE2 (Unicode mode, as RE2 requires); throws PatternError saying why it is refused. */
export function compilePattern(source: string): SafePattern {
  if (source.length === 0) throw new PatternError('the pattern is empty');
  if (source.length > MAX_PATTERN_CHARS) throw new PatternError(`the pattern is longer than ${MAX_PATTERN_CHARS} characters`);
  let compiled: RE2;
  try {
    compiled = new RE2(source, 'u');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PatternError(`RE2 refuses it (${reason}); RE2 has no backreferences or lookaround`, { cause: error });
  }
  return {
    source,
    test: (text) => {
      compiled.lastIndex = 0;
      return compiled.test(text);
    },
  };
}
