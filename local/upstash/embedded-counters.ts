import type { Emulation } from './embedded-access';
import { NOT_AN_INTEGER, NOT_A_FLOAT, RedisCommandError, isRedisFloat, isRedisInteger, wrongArgumentCount } from './embedded-access';
import type { RedisReply } from './redis-backend';

/**
 * Counter commands, validated as Redis does before the engine runs them: ioredis-mock
 * would otherwise store NaN when the current value or the increment is not a number.
 */
function integerCounter(name: string, arity: number): Emulation {
  return async (engine, args) => {
    if (args.length !== arity) throw wrongArgumentCount(name);
    const [key = '', increment] = args;
    if (increment !== undefined && !isRedisInteger(increment)) throw new RedisCommandError(NOT_AN_INTEGER);
    const current = (await engine.call('get', [key])) as string | null;
    if (current !== null && !isRedisInteger(current)) throw new RedisCommandError(NOT_AN_INTEGER);
    return (await engine.call(name, args)) as RedisReply;
  };
}

const incrbyfloat: Emulation = async (engine, args) => {
  if (args.length !== 2) throw wrongArgumentCount('incrbyfloat');
  const [key = '', increment = ''] = args;
  const current = (await engine.call('get', [key])) as string | null;
  if (!isRedisFloat(increment) || (current !== null && !isRedisFloat(current))) throw new RedisCommandError(NOT_A_FLOAT);
  return (await engine.call('incrbyfloat', args)) as RedisReply;
};

const hincrby: Emulation = async (engine, args) => {
  if (args.length !== 3) throw wrongArgumentCount('hincrby');
  const [key = '', field = '', increment = ''] = args;
  if (!isRedisInteger(increment)) throw new RedisCommandError(NOT_AN_INTEGER);
  const current = (await engine.call('hget', [key, field])) as string | null;
  if (current !== null && !isRedisInteger(current)) throw new RedisCommandError('ERR hash value is not an integer');
  return (await engine.call('hincrby', args)) as RedisReply;
};

const hincrbyfloat: Emulation = async (engine, args) => {
  if (args.length !== 3) throw wrongArgumentCount('hincrbyfloat');
  const [key = '', field = '', increment = ''] = args;
  if (!isRedisFloat(increment)) throw new RedisCommandError(NOT_A_FLOAT);
  const current = (await engine.call('hget', [key, field])) as string | null;
  if (current !== null && !isRedisFloat(current)) throw new RedisCommandError('ERR hash value is not a float');
  return (await engine.call('hincrbyfloat', args)) as RedisReply;
};

export const counterEmulations: Readonly<Record<string, Emulation>> = {
  incr: integerCounter('incr', 1),
  decr: integerCounter('decr', 1),
  incrby: integerCounter('incrby', 2),
  decrby: integerCounter('decrby', 2),
  incrbyfloat,
  hincrby,
  hincrbyfloat,
};
