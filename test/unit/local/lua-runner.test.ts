import { describe, expect, it } from 'vitest';
import { LuaRunner, LuaScriptError } from '../../../local/upstash/lua-runner';
import type { RedisReply } from '../../../local/upstash/redis-backend';

/** A runner whose redis.call answers from a map and records what it was asked. */
function runnerWith(answers: Record<string, RedisReply | Error>) {
  const calls: string[][] = [];
  const runner = new LuaRunner(async (command) => {
    calls.push([...command]);
    const answer = answers[command[0] ?? ''];
    if (answer instanceof Error) throw answer;
    return answer ?? null;
  });
  return { runner, calls };
}

describe('LuaRunner (the embedded Redis Lua)', () => {
  it('passes KEYS and ARGV and converts results as Redis does', async () => {
    const { runner } = runnerWith({});
    expect(await runner.run('a', 'return {KEYS[1], ARGV[1], ARGV[2], #KEYS}', ['k'], ['x', 'y'])).toEqual(['k', 'x', 'y', 1]);
    expect(await runner.run('b', 'return 7.9', [], [])).toBe(7);
    expect(await runner.run('c', 'return {1, true, false, "x"}', [], [])).toEqual([1, 1, null, 'x']);
    expect(await runner.run('d', 'return {1, nil, 3}', [], [])).toEqual([1]);
    expect(await runner.run('e', 'return nil', [], [])).toBeNull();
    expect(await runner.run('f', "return redis.status_reply('PONG')", [], [])).toBe('PONG');
  });

  it('runs redis.call through the engine: nil is false, numbers are sent as Redis prints them', async () => {
    const { runner, calls } = runnerWith({ INCRBY: 3, GET: null, LRANGE: ['a', 'b'] });
    const script = `
      local n = redis.call('INCRBY', KEYS[1], 3)
      local missing = redis.call('GET', 'nothing')
      redis.call('PEXPIRE', KEYS[1], ARGV[1] * 2 + 1000)
      return {n, missing == false and 1 or 0, redis.call('LRANGE', KEYS[1], 0, -1)}`;
    expect(await runner.run('g', script, ['counter'], ['60000'])).toEqual([3, 1, ['a', 'b']]);
    expect(calls).toEqual([
      ['INCRBY', 'counter', '3'],
      ['GET', 'nothing'],
      ['PEXPIRE', 'counter', '121000'],
      ['LRANGE', 'counter', '0', '-1'],
    ]);
  });

  it("raises a command's error from redis.call and returns it as a table from redis.pcall", async () => {
    const { runner } = runnerWith({ INCR: new Error('WRONGTYPE Operation against a key holding the wrong kind of value') });
    const failed = await runner.run('h', "return redis.call('INCR', 'k')", [], []).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(LuaScriptError);
    expect(failed).toMatchObject({ fromCommand: true, message: expect.stringMatching(/^WRONGTYPE/) });
    expect(await runner.run('i', "local r = redis.pcall('INCR', 'k'); return r.err", [], [])).toMatch(/^WRONGTYPE/);
  });

  it('reports compile and runtime errors as the script’s own', async () => {
    const { runner } = runnerWith({});
    await expect(runner.run('j', 'this is not lua', [], [])).rejects.toMatchObject({ fromCommand: false });
    await expect(runner.run('k', "error('boom')", [], [])).rejects.toMatchObject({
      fromCommand: false,
      message: expect.stringContaining('boom'),
    });
    await expect(runner.run('l', "return redis.call('GET', {})", [], [])).rejects.toMatchObject({
      message: expect.stringContaining('must be strings or integers'),
    });
  });

  it('compiles a script once per SHA and keeps no state between runs', async () => {
    const { runner } = runnerWith({});
    expect(await runner.run('same', 'return ARGV[1]', [], ['first'])).toBe('first');
    // Same SHA, different text: the compiled function is reused, as Redis's script cache would.
    expect(await runner.run('same', 'return "other"', [], ['second'])).toBe('second');
    // Many runs (each a coroutine) do not grow the Lua stack.
    for (let index = 0; index < 500; index++) await runner.run('loop', "return redis.call('GET', KEYS[1])", ['k'], []);
    runner.close();
  });
});
