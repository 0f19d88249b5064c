import type { ChildProcess } from 'node:child_process';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstashLoginBackoff } from '../../functions/adapters/upstash/login-backoff';
import { UpstashRateLimiter } from '../../functions/adapters/upstash/rate-limiter';
import type { RateLimitRule } from '../../functions/ports/rate-limiter';
import { startUpstashServer, type UpstashServer } from '../../local/upstash/upstash-server';
import { findRedisServer, freePort, startRedis } from '../support/redis-server';

const redisBinary = findRedisServer();
// Without redis-server the real-Redis variant is reported as skipped, never silently dropped.
const backends = [
  { name: 'embedded engine', redis: false },
  { name: 'real Redis', redis: true },
];
const limits = {
  message: { limit: 3, windowSeconds: 60 },
  start: { limit: 1, windowSeconds: 60 },
  guestToken: { limit: 2, windowSeconds: 60 },
  login: { limit: 2, windowSeconds: 60 },
};

// @upstash/ratelimit's scripts (with their Upstash-only shebang flag) must run on both backends.
describe.each(backends)('rate limits and login back-off through the local Upstash endpoint ($name)', ({ redis: useRealRedis }) => {
  if (useRealRedis && !redisBinary) {
    it.skip('needs redis-server on PATH (apt: redis-server)', () => undefined);
    return;
  }
  let server: UpstashServer;
  let redisProcess: ChildProcess | undefined;
  let redis: Redis;
  const prefix = `t${Date.now()}:`;

  beforeAll(async () => {
    let redisUrl: string | undefined;
    if (useRealRedis && redisBinary) {
      const port = await freePort();
      redisProcess = await startRedis(redisBinary, port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    server = await startUpstashServer({ port: 0, token: 'test-token', ...(redisUrl ? { redisUrl } : {}) });
    redis = new Redis({ url: server.url, token: 'test-token', automaticDeserialization: false, enableTelemetry: false });
  });

  afterAll(async () => {
    await server?.close();
    redisProcess?.kill();
  });

  it('allows up to the limit per key, then refuses with the time until a slot frees', async () => {
    const failures: RateLimitRule[] = [];
    const limiter = new UpstashRateLimiter({ redis: async () => redis, limits, prefix, onFailure: (rule) => failures.push(rule) });
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.consume('message', 'conn-1'));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false, false]);
    const refused = decisions[3]!;
    expect(refused.allowed).toBe(false);
    const retryAfterMs = refused.allowed ? 0 : refused.retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    // Other keys and other rules count separately.
    expect(await limiter.consume('message', 'conn-2')).toEqual({ allowed: true });
    expect(await limiter.consume('start', 'conn-1')).toEqual({ allowed: true });
    expect(failures).toEqual([]);
    expect(await redis.keys(`${prefix}message:*`)).not.toHaveLength(0);
  });

  it('lets requests through and reports it when Redis cannot be reached', async () => {
    const failures: RateLimitRule[] = [];
    const broken = new Redis({ url: 'http://127.0.0.1:9', token: 'x', retry: false, enableTelemetry: false });
    const limiter = new UpstashRateLimiter({ redis: async () => broken, limits, prefix, onFailure: (rule) => failures.push(rule) });
    expect(await limiter.consume('login', '203.0.113.9')).toEqual({ allowed: true });
    expect(failures).toEqual(['login']);
  });

  it('locks a login identity after the free attempts, doubling the lock, and forgets on success', async () => {
    const backoff = new UpstashLoginBackoff(
      async () => redis,
      // Locks far longer than the test runs, so a slow machine cannot see one lapse mid-test.
      { freeAttempts: 2, baseLockMs: 60_000, maxLockMs: 180_000, memoryMs: 600_000 },
      prefix,
    );
    const who = 'ann@example.com|198.51.100.1';
    expect(await backoff.recordFailure(who)).toBe(0);
    expect(await backoff.recordFailure(who)).toBe(0);
    expect(await backoff.lockedForMs(who)).toBe(0);
    expect(await backoff.recordFailure(who)).toBe(60_000);
    expect(await backoff.lockedForMs(who)).toBeGreaterThan(0);
    expect(await backoff.recordFailure(who)).toBe(120_000);
    expect(await backoff.recordFailure(who)).toBe(180_000); // capped
    expect(await backoff.lockedForMs('ann@example.com|198.51.100.2')).toBe(0);
    await backoff.reset(who);
    expect(await backoff.lockedForMs(who)).toBe(0);
    expect(await backoff.recordFailure(who)).toBe(0);
    // No email in any key, among keys that are there: the back-off's own failure counter included.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((key) => key.startsWith(`${prefix}failures:`))).toBe(true);
    expect(keys.filter((key) => key.includes('example.com'))).toEqual([]);
  });
});
