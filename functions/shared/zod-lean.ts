/**
 * `zod` as Lambda bundles see it (esbuild aliases `zod` here: lib/constructs/parley-function.ts).
 * The same schemas, checks and English messages, without what a namespace import of the whole
 * package drags into an esbuild bundle: every locale (264 KB), JSON Schema conversion and the
 * compiler. esbuild keeps all a re-exported namespace holds, so `import { z } from 'zod'` costs
 * 444 KB minified; this namespace holds only the names below (test/unit/shared/zod-lean.test.ts
 * checks they are all of zod's but ZOD_LEFT_OUT, and that no function uses one left out).
 */
export * as z from './zod-lean-api';

/** What Lambda bundles leave out of `z`: locales other than English, JSON Schema, the compiler. */
export const ZOD_LEFT_OUT = [
  'core',
  'locales',
  'toJSONSchema',
  'fromJSONSchema',
  'compile',
  'withParser',
  'ZodCompileAsyncError',
  'ZodCompileUnsupportedError',
] as const;
