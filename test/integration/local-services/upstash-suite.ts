import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UpstashServer } from '../../../local/upstash/upstash-server';

export const TEST_TOKEN = 'local-test-token';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the command to fail');
}

/**
 * The Upstash REST endpoint checked through the real @upstash/redis client; run against
 * every backend (embedded engine, real Redis when available).
 */
export function defineUpstashSuite(label: string, start: () => Promise<UpstashServer>): void {
  describe(`Upstash REST endpoint (${label}) with @upstash/redis`, () => {
    let server: UpstashServer;
    let redis: Redis;
    let direct: Redis;

    beforeAll(async () => {
      server = await start();
      // The default client (auto-pipelining, base64 responses) and one sending plain requests.
      redis = new Redis({ url: server.url, token: TEST_TOKEN, enableTelemetry: false });
      direct = new Redis({
        url: server.url,
        token: TEST_TOKEN,
        enableTelemetry: false,
        enableAutoPipelining: false,
        responseEncoding: false,
      });
    });

    afterAll(async () => {
      await server.close();
    });

    beforeEach(async () => {
      await direct.flushdb();
    });

    it('gets and sets strings with EX, PX, NX, XX, GET and KEEPTTL', async () => {
      expect(await redis.set('greeting', 'héllo ✓')).toBe('OK');
      expect(await redis.get('greeting')).toBe('héllo ✓');
      expect(await redis.get('missing')).toBeNull();

      // Expiries are long and the lower bounds loose (a tenth of the TTL), so however slowly the
      // machine runs between commands no key lapses and no remaining time drops below its bound.
      await redis.set('session', 'a', { ex: 1000 });
      const ttl = await redis.ttl('session');
      expect(ttl).toBeGreaterThan(900);
      expect(ttl).toBeLessThanOrEqual(1000);
      await redis.set('short', 'b', { px: 150_000 });
      const pttl = await redis.pttl('short');
      expect(pttl).toBeGreaterThan(135_000);
      expect(pttl).toBeLessThanOrEqual(150_000);

      expect(await redis.set('lock', 'first', { nx: true })).toBe('OK');
      expect(await redis.set('lock', 'second', { nx: true })).toBeNull();
      expect(await redis.get('lock')).toBe('first');
      expect(await redis.set('absent', 'x', { xx: true })).toBeNull();
      expect(await redis.get('absent')).toBeNull();
      expect(await redis.set('lock', 'third', { get: true })).toBe('first');

      await redis.set('session', 'renewed', { keepTtl: true });
      expect(await redis.ttl('session')).toBeGreaterThan(900);
      await redis.set('session', 'forever');
      expect(await redis.ttl('session')).toBe(-1);

      await redis.set('profile', { name: 'Ada', tags: ['x'] });
      expect(await redis.get('profile')).toEqual({ name: 'Ada', tags: ['x'] });
    });

    it('deletes, counts, expires and reads several keys', async () => {
      await redis.set('a', '1');
      await redis.set('b', '2');
      expect(await redis.exists('a', 'b', 'nope')).toBe(2);
      expect(await redis.mget('a', 'nope', 'b')).toEqual([1, null, 2]);
      expect(await redis.del('a', 'nope')).toBe(1);
      expect(await redis.exists('a')).toBe(0);

      // TTLs far apart and far longer than the test runs: no comparison can flip on a slow machine.
      expect(await redis.expire('b', 1000)).toBe(1);
      expect(await redis.ttl('b')).toBeGreaterThan(900);
      expect(await redis.pexpire('b', 500_000)).toBe(1);
      expect(await redis.pttl('b')).toBeLessThanOrEqual(500_000);
      expect(await redis.pttl('b')).toBeGreaterThan(450_000);
      expect(await redis.expire('b', 200, 'GT')).toBe(0);
      expect(await redis.expire('b', 200, 'LT')).toBe(1);
      expect(await redis.expire('b', 5000, 'GT')).toBe(1);
      expect(await redis.expire('b', 10, 'NX')).toBe(0);
      expect(await redis.ttl('b')).toBeGreaterThan(4000);
      expect(await redis.ttl('nope')).toBe(-2);
      expect(await redis.expire('nope', 10)).toBe(0);
    });

    it('increments and decrements counters and rejects non-integers', async () => {
      expect(await redis.incr('hits')).toBe(1);
      expect(await redis.incrby('hits', 10)).toBe(11);
      expect(await redis.decr('hits')).toBe(10);
      expect(await redis.decrby('hits', 4)).toBe(6);
      await redis.set('word', 'abc');
      const error = await rejection(direct.incr('word'));
      expect(error.message).toContain('ERR value is not an integer or out of range');
      expect(await redis.get('word')).toBe('abc');
    });

    it('works with hashes', async () => {
      expect(await redis.hset('agent:1', { name: 'Ada', load: 2, skills: 'billing' })).toBe(3);
      expect(await redis.hget('agent:1', 'name')).toBe('Ada');
      expect(await redis.hincrby('agent:1', 'load', 3)).toBe(5);
      expect(await redis.hgetall('agent:1')).toEqual({ name: 'Ada', load: 5, skills: 'billing' });
      expect(await redis.hdel('agent:1', 'skills', 'nothing')).toBe(1);
      expect(await redis.hgetall('agent:1')).toEqual({ name: 'Ada', load: 5 });
      expect(await redis.hgetall('agent:none')).toBeNull();
      const error = await rejection(direct.hincrby('agent:1', 'name', 1));
      expect(error.message).toContain('ERR hash value is not an integer');
    });

    it('works with sets', async () => {
      expect(await redis.sadd('online', 'a', 'b', 'c')).toBe(3);
      expect(await redis.sadd('online', 'a')).toBe(0);
      expect(await redis.srem('online', 'b')).toBe(1);
      expect((await redis.smembers('online')).sort()).toEqual(['a', 'c']);
      expect(await redis.sismember('online', 'a')).toBe(1);
      expect(await redis.sismember('online', 'b')).toBe(0);
      expect(await redis.scard('online')).toBe(2);
    });

    it('works with sorted sets, including ZADD flags and range options', async () => {
      expect(await redis.zadd('queue', { score: 3, member: 'c' }, { score: 1, member: 'a' }, { score: 2, member: 'b' })).toBe(3);
      expect(await redis.zcard('queue')).toBe(3);
      expect(await redis.zrange('queue', 0, -1)).toEqual(['a', 'b', 'c']);
      expect(await redis.zrange('queue', 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 2, 'c', 3]);
      expect(await redis.zrange('queue', 0, -1, { rev: true })).toEqual(['c', 'b', 'a']);
      expect(await redis.zrange('queue', '(1', '+inf', { byScore: true, offset: 0, count: 1 })).toEqual(['b']);
      // exec parses JSON-looking values, as every @upstash/redis command does.
      expect(await redis.exec(['zrangebyscore', 'queue', '2', '+inf', 'withscores'])).toEqual(['b', 2, 'c', 3]);
      expect(await redis.zrank('queue', 'c')).toBe(2);
      expect(await redis.zrank('queue', 'zzz')).toBeNull();

      expect(await redis.zadd('queue', { gt: true }, { score: 0, member: 'c' })).toBe(0);
      expect(await redis.zscore('queue', 'c')).toBe(3);
      expect(await redis.zadd('queue', { gt: true, ch: true }, { score: 10, member: 'c' })).toBe(1);
      expect(await redis.zadd('queue', { nx: true }, { score: 99, member: 'a' }, { score: 4, member: 'd' })).toBe(1);
      expect(await redis.zscore('queue', 'a')).toBe(1);
      expect(await redis.zadd('queue', { xx: true, ch: true }, { score: 5, member: 'a' }, { score: 6, member: 'e' })).toBe(1);
      expect(await redis.zadd('queue', { incr: true }, { score: 2.5, member: 'a' })).toBe(7.5);
      expect(await redis.zrange('queue', 0, -1)).toEqual(['b', 'd', 'a', 'c']);
      expect(await redis.zrem('queue', 'a', 'missing')).toBe(1);
      expect(await redis.zcard('queue')).toBe(3);
    });

    it('works with lists', async () => {
      expect(await redis.rpush('log', 'm1', 'm2')).toBe(2);
      expect(await redis.lpush('log', 'm0')).toBe(3);
      expect(await redis.lrange('log', 0, -1)).toEqual(['m0', 'm1', 'm2']);
      expect(await redis.ltrim('log', 1, -1)).toBe('OK');
      expect(await redis.lrange('log', 0, -1)).toEqual(['m1', 'm2']);
    });

    it('answers WRONGTYPE for the wrong kind of key', async () => {
      await redis.hset('h', { f: 'v' });
      const error = await rejection(direct.get('h'));
      expect(error.message).toContain('WRONGTYPE');
      const listError = await rejection(direct.lpush('h', 'x'));
      expect(listError.message).toContain('WRONGTYPE');
    });

    it('runs Lua with eval, evalsha, script load/exists and createScript', async () => {
      const script = 'redis.call("SET", KEYS[1], ARGV[1]); return {KEYS[1], redis.call("GET", KEYS[1]), redis.call("INCR", KEYS[2]), 7.9}';
      expect(await redis.eval(script, ['k1', 'counter'], ['v1'])).toEqual(['k1', 'v1', 1, 7]);

      const sha = await redis.scriptLoad('return tonumber(ARGV[1]) * 2');
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await redis.scriptExists(sha, '0000000000000000000000000000000000000000')).toEqual([1, 0]);
      expect(await redis.evalsha(sha, [], ['21'])).toBe(42);
      const missing = await rejection(direct.evalsha('ffffffffffffffffffffffffffffffffffffffff', [], []));
      expect(missing.message).toContain('NOSCRIPT');

      const rateLimit = redis.createScript<number>(
        'local n = redis.call("INCR", KEYS[1]); if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end; return n',
      );
      expect(await rateLimit.exec(['rl:user'], ['600000'])).toBe(1);
      expect(await rateLimit.exec(['rl:user'], ['600000'])).toBe(2);
      expect(await redis.pttl('rl:user')).toBeGreaterThan(540_000);
      expect(await redis.eval('return nil', [], [])).toBeNull();
    });

    it('runs pipelines with per-command results and errors', async () => {
      await redis.set('text', 'abc');
      const results = await redis.pipeline().set('p', 1).incr('p').get('p').incr('text').exec({ keepErrors: true });
      expect(results.map((r) => r.result)).toEqual(['OK', 2, 2, undefined]);
      expect(results[3]?.error).toContain('ERR value is not an integer');
      await expect(redis.pipeline().incr('text').exec()).rejects.toThrow(/Command 1 \[ incr \] failed/);
    });

    it('runs transactions with multi-exec, atomically and all-or-nothing on rejected commands', async () => {
      const results = await redis.multi().set('t', 'x').append('t', 'yz').get('t').exec();
      expect(results).toEqual(['OK', 3, 'xyz']);

      const rejected = await fetch(`${server.url}/multi-exec`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
        body: JSON.stringify([
          ['set', 'never', '1'],
          ['notacommand', 'x'],
        ]),
      });
      expect(rejected.status).toBe(400);
      expect(((await rejected.json()) as { error: string }).error).toContain('EXECABORT');
      expect(await redis.get('never')).toBeNull();

      // Concurrent transactions never interleave: every read sees its own write.
      const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => direct.multi().set('shared', `v${i}`).get('shared').exec()));
      for (const [i, run] of runs.entries()) expect(run).toEqual(['OK', `v${i}`]);
    });

    it('batches concurrent calls with auto-pipelining', async () => {
      server.resetCommandCount();
      const [a, b, c] = await Promise.all([redis.set('ap1', 'x'), redis.incr('ap2'), redis.get('missing-ap')]);
      expect([a, b, c]).toEqual(['OK', 1, null]);
      expect(server.commandCount()).toBe(3);
    });

    it('counts every command, including each pipeline entry', async () => {
      server.resetCommandCount();
      await direct.set('c', '1');
      await direct.pipeline().get('c').get('c').exec();
      await direct.multi().incr('c').exec();
      expect(server.commandCount()).toBe(4);
    });

    it('reports unknown commands as errors', async () => {
      const error = await rejection(direct.exec(['definitelynotacommand', 'x']));
      expect(error.message).toMatch(/^ERR unknown command/);
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
        body: JSON.stringify(['definitelynotacommand']),
      });
      expect(response.status).toBe(400);
    });

    it('refuses a wrong or missing token with 401', async () => {
      const intruder = new Redis({ url: server.url, token: 'wrong-token', enableTelemetry: false, enableAutoPipelining: false });
      const error = await rejection(intruder.get('greeting'));
      expect(error.message).toContain('Unauthorized');
      const anonymous = await fetch(server.url, { method: 'POST', body: JSON.stringify(['PING']) });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ error: 'Unauthorized' });
    });

    it('base64-encodes every string in results when asked, and nothing else', async () => {
      await redis.rpush('enc', 'héllo', '42');
      const post = (encoding: boolean) =>
        fetch(server.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(encoding ? { 'upstash-encoding': 'base64' } : {}) },
          body: JSON.stringify(['eval', 'return {redis.call("LRANGE", KEYS[1], 0, -1), 5, "OK"}', '1', 'enc']),
        }).then((response) => response.json());
      expect(await post(false)).toEqual({ result: [['héllo', '42'], 5, 'OK'] });
      const b64 = (text: string) => Buffer.from(text).toString('base64');
      expect(await post(true)).toEqual({ result: [[b64('héllo'), b64('42')], 5, b64('OK')] });
    });

    it('serves the path form of commands', async () => {
      const headers = { authorization: `Bearer ${TEST_TOKEN}` };
      expect(await (await fetch(`${server.url}/set/path-key/path%20value`, { headers })).json()).toEqual({ result: 'OK' });
      expect(await (await fetch(`${server.url}/get/path-key`, { headers })).json()).toEqual({ result: 'path value' });
      const posted = await fetch(`${server.url}/set/body-key`, { method: 'POST', headers, body: 'from body' });
      expect(await posted.json()).toEqual({ result: 'OK' });
      expect(await redis.get('body-key')).toBe('from body');
      expect(await (await fetch(`${server.url}/get/path-key?_token=${TEST_TOKEN}`)).json()).toEqual({ result: 'path value' });
    });
  });
}
