import type { ChildProcess } from 'node:child_process';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstashLoginBackoff } from '../../functions/adapters/upstash/login-backoff';
import { UpstashRateLimiter } from '../../functions/adapters/upstash/rate-limiter';
import { LIMIT_RULE_NAMES, type LimitRuleName } from '../../functions/domain/limits';
import type { RateLimit } from '../../functions/ports/rate-limiter';
import { startUpstashServer, type UpstashServer } from '../../local/upstash/upstash-server';
import { findRedisServer, freePort, startRedis } from '../support/redis-server';

const redisBinary = findRedisServer();
// Without redis-server the real-Redis variant is reported as skipped, never silently dropped.
const backends = [
  { name: 'embedded engine', redis: false },
  { name: 'real Redis', redis: true },
];
// Every rule generous, then the ones under test tight.
const limits = {
  ...(Object.fromEntries(LIMIT_RULE_NAMES.map((rule) => [rule, { limit: 1000, windowSeconds: 60 }])) as Record<LimitRuleName, RateLimit>),
  message: { limit: 3, windowSeconds: 60 },
  messagePerUser: { limit: 4, windowSeconds: 60 },
  start: { limit: 1, windowSeconds: 60 },
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
    const limiter = new UpstashRateLimiter({ redis: async () => redis, limits, prefix });
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(...(await limiter.consume([{ rule: 'message', key: 'conn-1' }])));
    expect(decisions.map((decision) => decision.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'limited', 'limited']);
    const refused = decisions[3]!;
    const retryAfterMs = refused.outcome === 'limited' ? refused.retryAfterMs : 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    // Other keys and other rules count separately.
    expect(await limiter.consume([{ rule: 'message', key: 'conn-2' }])).toEqual([{ outcome: 'allowed' }]);
    expect(await limiter.consume([{ rule: 'start', key: 'conn-1' }])).toEqual([{ outcome: 'allowed' }]);
    expect(await redis.keys(`${prefix}message:*`)).not.toHaveLength(0);
  });

  it('takes several counters in one call, one decision per check in order', async () => {
    const limiter = new UpstashRateLimiter({ redis: async () => redis, limits, prefix: `${prefix}many:` });
    const checks = (connectionId: string) => [
      { rule: 'message' as const, key: connectionId },
      { rule: 'messagePerUser' as const, key: 'user-1' },
    ];
    const outcomes: string[][] = [];
    // Two connections of one user: 3 per connection, 4 per user.
    for (const connectionId of ['c1', 'c1', 'c2', 'c2', 'c2']) {
      outcomes.push((await limiter.consume(checks(connectionId))).map((decision) => decision.outcome));
    }
    expect(outcomes).toEqual([
      ['allowed', 'allowed'],
      ['allowed', 'allowed'],
      ['allowed', 'allowed'],
      ['allowed', 'allowed'],
      ['allowed', 'limited'],
    ]);
  });

  it('takes the checks of one request in one HTTP round trip (auto-pipelined), one command each', async () => {
    const limiter = new UpstashRateLimiter({ redis: async () => redis, limits, prefix: `${prefix}trip:` });
    const checks = [
      { rule: 'message' as const, key: 'c9' },
      { rule: 'messagePerUser' as const, key: 'u9' },
    ];
    await limiter.consume(checks); // loads the script (EVALSHA misses once, then EVAL)
    const original = globalThis.fetch;
    const requests: number[] = [];
    globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith(server.url))
        requests.push(/\/pipeline$/.test(new URL(url).pathname) ? (JSON.parse(String(init?.body)) as unknown[]).length : 1);
      return original(input, init);
    };
    try {
      expect(await limiter.consume(checks)).toEqual([{ outcome: 'allowed' }, { outcome: 'allowed' }]);
    } finally {
      globalThis.fetch = original;
    }
    expect(requests).toEqual([2]);
  });

  it('answers unknown, never throws, when Redis cannot be reached or does not answer in time', async () => {
    const broken = new Redis({ url: 'http://127.0.0.1:9', token: 'x', retry: false, enableTelemetry: false });
    const refused = new UpstashRateLimiter({ redis: async () => broken, limits, prefix });
    const [decision] = await refused.consume([{ rule: 'login', key: '203.0.113.9' }]);
    expect(decision?.outcome).toBe('unknown');
    // With retries (the wiring's default) the library's timeout answers first.
    const retrying = new Redis({ url: 'http://127.0.0.1:9', token: 'x', enableTelemetry: false });
    const slow = new UpstashRateLimiter({
      redis: async () => retrying,
      limits: { ...limits, guestToken: { limit: 5, windowSeconds: 60, timeoutMs: 200 } },
      prefix,
    });
    expect(await slow.consume([{ rule: 'guestToken', key: '203.0.113.9' }])).toEqual([
      { outcome: 'unknown', reason: 'Redis did not answer in time' },
    ]);
    const noSecret = new UpstashRateLimiter({ redis: () => Promise.reject(new Error('secret unavailable')), limits, prefix });
    expect(await noSecret.consume([{ rule: 'start', key: 'u' }])).toEqual([{ outcome: 'unknown', reason: 'secret unavailable' }]);
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
