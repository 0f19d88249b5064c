import type { Emulation } from './embedded-access';
import { NOT_A_FLOAT, RedisCommandError, SYNTAX_ERROR, isRedisFloat, wrongArgumentCount } from './embedded-access';

const ZADD_FLAGS = new Set(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']);

function parseScore(text: string): number {
  if (!isRedisFloat(text)) throw new RedisCommandError(NOT_A_FLOAT);
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function formatScore(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return 'inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return String(score);
}

/**
 * ZADD with all of Redis's flags (NX XX GT LT CH INCR). ioredis-mock only knows NX/XX/CH
 * and returns the wrong reply for INCR, so the flags are decided here and the engine
 * only ever receives plain score/member writes.
 */
const zadd: Emulation = async (engine, args) => {
  const [key, ...rest] = args;
  if (key === undefined) throw wrongArgumentCount('zadd');
  const flags = new Set<string>();
  let index = 0;
  while (index < rest.length && ZADD_FLAGS.has((rest[index] ?? '').toUpperCase())) {
    flags.add((rest[index] ?? '').toUpperCase());
    index += 1;
  }
  const pairs = rest.slice(index);
  if (pairs.length === 0 || pairs.length % 2 !== 0) throw new RedisCommandError(SYNTAX_ERROR);
  if (flags.has('NX') && flags.has('XX')) throw new RedisCommandError('ERR XX and NX options at the same time are not compatible');
  if ((flags.has('GT') && flags.has('LT')) || ((flags.has('GT') || flags.has('LT')) && flags.has('NX'))) {
    throw new RedisCommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags.has('INCR') && pairs.length > 2) throw new RedisCommandError('ERR INCR option supports a single increment-element pair');
  const updates: Array<{ score: number; member: string }> = [];
  for (let i = 0; i < pairs.length; i += 2) {
    updates.push({ score: parseScore(pairs[i] ?? ''), member: pairs[i + 1] ?? '' });
  }

  let added = 0;
  let changed = 0;
  let incrementResult: string | null = null;
  for (const { score, member } of updates) {
    const currentText = (await engine.call('zscore', [key, member])) as string | null;
    const current =
      currentText === null
        ? undefined
        : parseScore(currentText === 'Infinity' ? 'inf' : currentText === '-Infinity' ? '-inf' : currentText);
    const next = flags.has('INCR') && current !== undefined ? current + score : score;
    if (Number.isNaN(next)) throw new RedisCommandError('ERR resulting score is not a number (NaN)');
    const skip =
      current === undefined
        ? flags.has('XX')
        : flags.has('NX') || (flags.has('GT') && next <= current) || (flags.has('LT') && next >= current);
    if (skip) continue;
    if (current === undefined) added += 1;
    else if (next !== current) changed += 1;
    await engine.call('zadd', [key, String(next), member]);
    incrementResult = formatScore(next);
  }
  if (flags.has('INCR')) return incrementResult;
  return flags.has('CH') ? added + changed : added;
};

export const sortedSetEmulations: Readonly<Record<string, Emulation>> = { zadd };
