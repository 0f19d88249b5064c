type RedisType = 'string' | 'hash' | 'set' | 'zset' | 'list';

function forType(type: RedisType, commands: readonly string[]): Array<[string, RedisType]> {
  return commands.map((command) => [command, type]);
}

/**
 * The key type each single-key command requires (key = first argument). ioredis-mock
 * skips most of these checks (GET on a hash returns the hash), so the engine checks
 * first and answers WRONGTYPE as Redis does.
 */
export const REQUIRED_KEY_TYPE: ReadonlyMap<string, RedisType> = new Map([
  ...forType('string', [
    'get',
    'getdel',
    'getex',
    'getset',
    'append',
    'strlen',
    'getrange',
    'setrange',
    'incr',
    'decr',
    'incrby',
    'decrby',
    'incrbyfloat',
  ]),
  ...forType('hash', [
    'hget',
    'hset',
    'hsetnx',
    'hmset',
    'hmget',
    'hgetall',
    'hdel',
    'hincrby',
    'hincrbyfloat',
    'hexists',
    'hkeys',
    'hvals',
    'hlen',
    'hstrlen',
    'hscan',
    'hrandfield',
  ]),
  ...forType('set', ['sadd', 'srem', 'smembers', 'sismember', 'smismember', 'scard', 'spop', 'srandmember', 'sscan']),
  ...forType('zset', [
    'zadd',
    'zrem',
    'zscore',
    'zmscore',
    'zincrby',
    'zcard',
    'zcount',
    'zrank',
    'zrevrank',
    'zrange',
    'zrangebyscore',
    'zrevrange',
    'zrevrangebyscore',
    'zrangebylex',
    'zrevrangebylex',
    'zremrangebyscore',
    'zremrangebyrank',
    'zpopmin',
    'zpopmax',
    'zscan',
  ]),
  ...forType('list', [
    'lpush',
    'rpush',
    'lpushx',
    'rpushx',
    'lpop',
    'rpop',
    'lrange',
    'ltrim',
    'llen',
    'lindex',
    'lrem',
    'lset',
    'linsert',
    'lpos',
  ]),
]);
