import type { Emulation, MockAccess } from './embedded-access';
import { RedisCommandError, SYNTAX_ERROR, parseRedisInteger, wrongArgumentCount } from './embedded-access';
import type { RedisReply } from './redis-backend';

const SET_FLAGS = new Set(['NX', 'XX', 'GET', 'KEEPTTL']);
const SET_EXPIRY_OPTIONS = new Set(['EX', 'PX', 'EXAT', 'PXAT']);

/**
 * SET with Redis's option rules: one expiry at most, positive expiry values, NX/XX
 * exclusive, and KEEPTTL (which ioredis-mock would silently turn into "no expiry").
 */
const set: Emulation = async (engine, args) => {
  const [key, value, ...options] = args;
  if (key === undefined || value === undefined) throw wrongArgumentCount('set');
  const flags = new Set<string>();
  const forwarded: string[] = [];
  let expiry: string | undefined;
  for (let index = 0; index < options.length; index += 1) {
    const option = (options[index] ?? '').toUpperCase();
    if (SET_FLAGS.has(option)) {
      flags.add(option);
      if (option !== 'KEEPTTL') forwarded.push(option);
    } else if (SET_EXPIRY_OPTIONS.has(option)) {
      const amountText = options[index + 1];
      if (expiry !== undefined || amountText === undefined) throw new RedisCommandError(SYNTAX_ERROR);
      if (parseRedisInteger(amountText) <= 0) throw new RedisCommandError("ERR invalid expire time in 'set' command");
      expiry = option;
      forwarded.push(option, amountText);
      index += 1;
    } else {
      throw new RedisCommandError(SYNTAX_ERROR);
    }
  }
  if ((flags.has('NX') && flags.has('XX')) || (flags.has('KEEPTTL') && expiry !== undefined)) {
    throw new RedisCommandError(SYNTAX_ERROR);
  }
  const existed = ((await engine.call('exists', [key])) as number) > 0;
  const keptTtlMs = flags.has('KEEPTTL') ? ((await engine.call('pttl', [key])) as number) : -1;
  const reply = (await engine.call('set', [key, value, ...forwarded])) as RedisReply;
  const written = !(flags.has('NX') && existed) && !(flags.has('XX') && !existed);
  if (written && keptTtlMs > 0) await engine.call('pexpire', [key, String(keptTtlMs)]);
  return reply;
};

type ExpireCommand = 'expire' | 'pexpire' | 'expireat' | 'pexpireat';

function absoluteExpiryMs(command: ExpireCommand, amount: number, now: number): number {
  switch (command) {
    case 'expire':
      return now + amount * 1000;
    case 'pexpire':
      return now + amount;
    case 'expireat':
      return amount * 1000;
    case 'pexpireat':
      return amount;
  }
}

/** The EXPIRE family with the NX / XX / GT / LT conditions (Redis 7), which the mock ignores. */
function expireWithCondition(command: ExpireCommand): Emulation {
  return async (engine: MockAccess, args) => {
    if (args.length < 2 || args.length > 3) throw wrongArgumentCount(command);
    const [key = '', amountText, condition] = args;
    const amount = parseRedisInteger(amountText);
    if (condition !== undefined) {
      const flag = condition.toUpperCase();
      if (!['NX', 'XX', 'GT', 'LT'].includes(flag)) throw new RedisCommandError(`ERR Unsupported option ${condition}`);
      const ttlMs = (await engine.call('pttl', [key])) as number;
      if (ttlMs === -2) return 0;
      const now = engine.now();
      const currentExpiry = ttlMs === -1 ? undefined : now + ttlMs;
      const requested = absoluteExpiryMs(command, amount, now);
      const allowed =
        flag === 'NX'
          ? currentExpiry === undefined
          : flag === 'XX'
            ? currentExpiry !== undefined
            : flag === 'GT'
              ? currentExpiry !== undefined && requested > currentExpiry
              : currentExpiry === undefined || requested < currentExpiry;
      if (!allowed) return 0;
    }
    return (await engine.call(command, [key, String(amount)])) as RedisReply;
  };
}

export const keyspaceEmulations: Readonly<Record<string, Emulation>> = {
  set,
  expire: expireWithCondition('expire'),
  pexpire: expireWithCondition('pexpire'),
  expireat: expireWithCondition('expireat'),
  pexpireat: expireWithCondition('pexpireat'),
};
