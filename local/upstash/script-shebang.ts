import { createHash } from 'node:crypto';

/**
 * Upstash accepts Lua shebang flags that Redis does not know (@upstash/ratelimit's scripts
 * start with `#!lua flags=allow-key-locking`). Redis 7 refuses unknown flags and Redis 6 and
 * the embedded engine refuse any shebang, so the local endpoint rewrites the first line the
 * way Upstash reads it: only the flags Redis knows are kept.
 */
const REDIS_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);
const SHEBANG = /^#!lua(?:[ \t]+flags=([^\r\n]*))?[ \t]*(?=\r?\n|$)/;

export function hasShebang(source: string): boolean {
  return source.startsWith('#!');
}

/** The script with its shebang's flags limited to those Redis 7 understands. */
export function withRedisFlags(source: string): string {
  const match = SHEBANG.exec(source);
  if (!match) return source;
  const flags = (match[1] ?? '')
    .split(',')
    .map((flag) => flag.trim())
    .filter((flag) => REDIS_FLAGS.has(flag));
  return `#!lua${flags.length > 0 ? ` flags=${flags.join(',')}` : ''}${source.slice(match[0].length)}`;
}

/** The script without its shebang line (the line is kept empty so error line numbers hold). */
export function withoutShebang(source: string): string {
  return hasShebang(source) ? source.replace(/^#![^\r\n]*/, '') : source;
}

export function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}
