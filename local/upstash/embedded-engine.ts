import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import type { Emulation, MockAccess } from './embedded-access';
import { RedisCommandError, WRONG_TYPE } from './embedded-access';
import { counterEmulations } from './embedded-counters';
import { normalizeKeywords } from './embedded-keywords';
import { keyspaceEmulations } from './embedded-keyspace';
import { toRedisReply } from './embedded-replies';
import { scriptingEmulations } from './embedded-scripting';
import { sortedSetEmulations } from './embedded-sorted-sets';
import { REQUIRED_KEY_TYPE } from './embedded-type-checks';
import { LuaRunner } from './lua-runner';
import { rejectionFor } from './command-policy';
import type { RedisCommand, RedisReply } from './redis-backend';

type MockMethod = (...args: string[]) => unknown;

const EMULATIONS: Readonly<Record<string, Emulation>> = {
  ...scriptingEmulations,
  ...sortedSetEmulations,
  ...keyspaceEmulations,
  ...counterEmulations,
};

function quoteArgs(args: readonly string[]): string {
  return args
    .slice(0, 3)
    .map((arg) => `'${arg.slice(0, 64)}' `)
    .join('');
}

/**
 * An in-memory Redis: ioredis-mock (data structures, expiry; Lua via fengari, compiled once per script in lua-runner.ts) behind a
 * thin layer that makes it answer like Redis for what @upstash/redis sends: lower-case
 * option keywords, SCRIPT/EVALSHA, ZADD flags, EXPIRE conditions, KEEPTTL, WRONGTYPE and
 * integer validation, and RESP-shaped replies.
 */
export class EmbeddedRedisEngine {
  private readonly mock: Redis;
  private readonly methods: Record<string, unknown>;
  private readonly access: MockAccess;
  private readonly lua: LuaRunner;

  constructor() {
    // ioredis-mock shares data between instances with the same host:port/db; a unique
    // host gives every engine its own keyspace.
    this.mock = new RedisMock({ host: `embedded-${randomUUID()}`, port: 6379, lazyConnect: false });
    this.methods = this.mock as unknown as Record<string, unknown>;
    // A script's redis.call runs as a command sent to this engine would (emulations included).
    this.lua = new LuaRunner((command) => this.execute(command));
    const scripts: Record<string, string> = {};
    this.access = {
      call: (name, args) => this.callMock(name, args),
      scripts,
      runScript: (sha, source, keys, argv) => this.lua.run(sha, source, keys, argv),
      now: () => Date.now(),
    };
  }

  /** Why `command` cannot run at all (unknown or not allowed), or undefined. */
  precheck(command: RedisCommand): string | undefined {
    const [rawName, ...args] = command;
    if (rawName === undefined || rawName === '') return 'ERR empty command';
    const name = rawName.toLowerCase();
    const rejection = rejectionFor(name);
    if (rejection) return rejection;
    if (name in EMULATIONS || this.mockMethod(name)) return undefined;
    return `ERR unknown command '${rawName}', with args beginning with: ${quoteArgs(args)}`;
  }

  async execute(command: RedisCommand): Promise<RedisReply> {
    const problem = this.precheck(command);
    if (problem) throw new RedisCommandError(problem);
    const [rawName = '', ...rawArgs] = command;
    const name = rawName.toLowerCase();
    const args = normalizeKeywords(name, rawArgs);
    await this.checkKeyType(name, args[0]);
    const emulation = EMULATIONS[name];
    if (emulation) return emulation(this.access, args);
    return toRedisReply(await this.callMock(name, args));
  }

  /** Every key gone (the chaos run's Redis-loss fault); the script cache stays, as in Redis. */
  async flushAll(): Promise<void> {
    await this.mock.flushall();
  }

  close(): void {
    this.lua.close();
    this.mock.disconnect();
  }

  private async checkKeyType(name: string, key: string | undefined): Promise<void> {
    const required = REQUIRED_KEY_TYPE.get(name);
    if (!required || key === undefined) return;
    const actual = (await this.callMock('type', [key])) as string;
    if (actual !== 'none' && actual !== required) throw new RedisCommandError(WRONG_TYPE);
  }

  /** Own, lower-case function properties of the mock are its Redis commands. */
  private mockMethod(name: string): MockMethod | undefined {
    if (!/^[a-z][a-z_]*$/.test(name) || !Object.hasOwn(this.methods, name)) return undefined;
    const candidate = this.methods[name];
    return typeof candidate === 'function' ? (candidate as MockMethod) : undefined;
  }

  private async callMock(name: string, args: readonly string[]): Promise<unknown> {
    const method = this.mockMethod(name);
    if (!method) throw new RedisCommandError(`ERR unknown command '${name}'`);
    try {
      return await method.apply(this.mock, [...args]);
    } catch (error) {
      if (error instanceof TypeError && error.message.startsWith('Unsupported command')) {
        throw new RedisCommandError(
          `ERR unknown command '${name}' (the embedded engine does not support it; start the Upstash endpoint with redisUrl for a real Redis)`,
        );
      }
      if (error instanceof Error && /does not contain a|wrong kind of value/.test(error.message)) {
        throw new RedisCommandError(WRONG_TYPE);
      }
      throw error;
    }
  }
}
