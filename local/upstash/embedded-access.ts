import type { RedisReply } from './redis-backend';

/** What the command emulations need from the embedded engine. */
export interface MockAccess {
  /** Calls an ioredis-mock command method as-is (arguments already normalised). */
  call(name: string, args: readonly string[]): Promise<unknown>;
  /** The engine's script cache (sha1 -> source), shared with its EVALSHA. */
  readonly scripts: Record<string, string>;
  /** Runs a Lua script (compiled once per SHA) whose `redis.call`s run on this engine. */
  runScript(sha: string, source: string, keys: readonly string[], argv: readonly string[]): Promise<RedisReply>;
  now(): number;
}

export type Emulation = (engine: MockAccess, args: readonly string[]) => Promise<RedisReply>;

/** A Redis error reply with its final text (e.g. `ERR syntax error`). */
export class RedisCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisCommandError';
  }
}

export const SYNTAX_ERROR = 'ERR syntax error';
export const NOT_AN_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_A_FLOAT = 'ERR value is not a valid float';
export const WRONG_TYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

export function wrongArgumentCount(name: string): RedisCommandError {
  return new RedisCommandError(`ERR wrong number of arguments for '${name}' command`);
}

const INT64_MAX = 9_223_372_036_854_775_807n;

/** Redis's notion of an integer argument/value: canonical base-10 within int64. */
export function isRedisInteger(text: string): boolean {
  if (!/^-?(0|[1-9]\d*)$/.test(text)) return false;
  const value = BigInt(text);
  return value <= INT64_MAX && value >= -INT64_MAX - 1n;
}

export function parseRedisInteger(text: string | undefined): number {
  if (text === undefined || !isRedisInteger(text)) throw new RedisCommandError(NOT_AN_INTEGER);
  return Number(text);
}

export function isRedisFloat(text: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) || /^[-+]?inf$/i.test(text);
}
