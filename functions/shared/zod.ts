/**
 * zod as every module under functions/ imports it: `import * as z from '../shared/zod'`.
 *
 * This is `zod/mini`: the same schemas, checks and messages as zod's classic API, but as
 * functions instead of methods (`z.optional(z.string().check(z.maxLength(9)))` for
 * `z.string().max(9).optional()`), so esbuild keeps in a Lambda bundle only what the function
 * uses (~30 KB against the classic API's ~131 KB). zod/mini loads no locale, so its messages
 * would all be "Invalid input": this module sets zod's English ones, the texts clients see in
 * `error` frames and HTTP error bodies. package.json lists this file under `sideEffects`, or
 * esbuild, seeing only re-exports used, would drop it and the locale with it.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
