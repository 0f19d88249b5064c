import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedBackend } from '../../../local/upstash/embedded-backend';
import { normalizeKeywords } from '../../../local/upstash/embedded-keywords';
import type { RedisBackend, RedisCommand, RedisReply } from '../../../local/upstash/redis-backend';
import { parseUpstashRequest } from '../../../local/upstash/upstash-request';

let backend: RedisBackend | undefined;

afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

async function run(...commands: RedisCommand[]): Promise<Array<RedisReply | { error: string }>> {
  backend ??= createEmbeddedBackend();
  const results = await backend.run(commands);
  return results.map((result) => (result.ok ? result.value : { error: result.error }));
}

describe('embedded Redis engine', () => {
  it('upper-cases option keywords only in keyword positions', () => {
    expect(normalizeKeywords('getex', ['ex', 'ex', '10'])).toEqual(['ex', 'EX', '10']);
    expect(normalizeKeywords('zrange', ['z', '0', '-1', 'rev', 'limit', '0', '1'])).toEqual(['z', '0', '-1', 'REV', 'LIMIT', '0', '1']);
    expect(normalizeKeywords('scan', ['0', 'match', 'count', 'count', '5'])).toEqual(['0', 'MATCH', 'count', 'COUNT', '5']);
    expect(normalizeKeywords('get', ['ex'])).toEqual(['ex']);
  });

  it('keeps separate engines isolated from each other', async () => {
    const other = createEmbeddedBackend();
    try {
      await run(['SET', 'isolated', '1']);
      expect(await other.run([['GET', 'isolated']])).toEqual([{ ok: true, value: null }]);
    } finally {
      await other.close();
    }
  });

  it('validates EVAL key counts and reports Lua errors as script errors', async () => {
    expect(await run(['EVAL', 'return 1', '2', 'only-one'])).toEqual([
      { error: "ERR Number of keys can't be greater than number of args" },
    ]);
    expect(await run(['EVAL', 'return 1', '-1'])).toEqual([{ error: "ERR Number of keys can't be negative" }]);
    const [syntax] = await run(['EVAL', 'this is not lua', '0']);
    expect(syntax).toEqual({ error: expect.stringMatching(/^ERR Error running script: /) });
    expect(await run(['EVAL', 'return {1, true, false, "x"}', '0'])).toEqual([[1, 1, null, 'x']]);
  });

  it('flushes the script cache', async () => {
    const [sha] = await run(['SCRIPT', 'LOAD', 'return 1']);
    expect(await run(['EVALSHA', String(sha), '0'], ['SCRIPT', 'FLUSH'], ['SCRIPT', 'EXISTS', String(sha)])).toEqual([1, 'OK', [0]]);
  });

  it('formats infinite ZADD INCR scores like Redis and rejects bad scores', async () => {
    expect(await run(['ZADD', 'z', 'INCR', '+inf', 'm'], ['ZADD', 'z', 'nan', 'm'])).toEqual([
      'inf',
      { error: 'ERR value is not a valid float' },
    ]);
    expect(await run(['ZADD', 'z', 'NX', 'XX', '1', 'm'])).toEqual([
      { error: 'ERR XX and NX options at the same time are not compatible' },
    ]);
  });

  it('checks SET options like Redis', async () => {
    expect(await run(['SET', 'k', 'v', 'EX', '0'])).toEqual([{ error: "ERR invalid expire time in 'set' command" }]);
    expect(await run(['SET', 'k', 'v', 'EX', '10', 'PX', '100'])).toEqual([{ error: 'ERR syntax error' }]);
    expect(await run(['SET', 'k', 'v', 'BOGUS'])).toEqual([{ error: 'ERR syntax error' }]);
  });

  it('refuses connection-bound commands and unknown commands', async () => {
    expect(await run(['MULTI'], ['SUBSCRIBE', 'c'], ['NOPE', 'a'])).toEqual([
      { error: "ERR Command is not available over the REST API: 'multi'" },
      { error: "ERR Command is not available over the REST API: 'subscribe'" },
      { error: "ERR unknown command 'NOPE', with args beginning with: 'a' " },
    ]);
    expect(await run(['DISCONNECT'], ['_signalModifiedKey'])).toEqual([
      { error: expect.stringContaining('not available') },
      { error: expect.stringContaining('unknown command') },
    ]);
  });
});

describe('Upstash request parsing', () => {
  it('parses the JSON, pipeline, transaction and path forms', () => {
    expect(parseUpstashRequest('POST', '/', '["SET","k",10,true]')).toEqual({ kind: 'single', command: ['SET', 'k', '10', 'true'] });
    expect(parseUpstashRequest('POST', '/pipeline', '[["GET","a"],["GET","b"]]')).toEqual({
      kind: 'pipeline',
      commands: [
        ['GET', 'a'],
        ['GET', 'b'],
      ],
    });
    expect(parseUpstashRequest('POST', '/multi-exec/', '[["INCR","a"]]')).toEqual({ kind: 'transaction', commands: [['INCR', 'a']] });
    expect(parseUpstashRequest('GET', '/set/a%2Fb/c', '')).toEqual({ kind: 'single', command: ['set', 'a/b', 'c'] });
  });

  it('rejects malformed bodies', () => {
    expect(() => parseUpstashRequest('POST', '/', 'not json')).toThrow('not valid JSON');
    expect(() => parseUpstashRequest('POST', '/', '[]')).toThrow('non-empty JSON array');
    expect(() => parseUpstashRequest('POST', '/', '["SET",{"a":1}]')).toThrow('strings, numbers or booleans');
    expect(() => parseUpstashRequest('POST', '/pipeline', '[]')).toThrow('non-empty JSON array of commands');
  });
});
