import type { RedisReply } from './redis-backend';

/** Converts what ioredis-mock resolves to into a Redis (RESP2-shaped) reply. */
export function toRedisReply(value: unknown): RedisReply {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  // Lua true becomes integer 1 and false becomes nil, as in Redis.
  if (typeof value === 'boolean') return value ? 1 : null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(toRedisReply);
  if (value instanceof Map) return [...value.entries()].flatMap(([k, v]) => [toRedisReply(k), toRedisReply(v)]);
  if (value instanceof Set) return [...value].map(toRedisReply);
  // HGETALL: ioredis (and the mock) turn the flat field/value list into an object.
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, toRedisReply(v)]);
  return null;
}

/** Script results: Lua numbers become integers (truncated), as Redis converts them. */
export function luaResultToRedisReply(value: unknown): RedisReply {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (Array.isArray(value)) return value.map(luaResultToRedisReply);
  // Lua tables that are not arrays (status/error tables) do not survive the mock's VM.
  if (typeof value === 'function') return null;
  return toRedisReply(value);
}
