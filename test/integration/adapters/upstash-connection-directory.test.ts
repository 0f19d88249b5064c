import type { ChildProcess } from 'node:child_process';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstashConnectionDirectory } from '../../../functions/adapters/upstash/connection-directory';
import { UpstashRateLimiter } from '../../../functions/adapters/upstash/rate-limiter';
import { LIMIT_RULE_NAMES, type LimitRuleName } from '../../../functions/domain/limits';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import type { RateLimit } from '../../../functions/ports/rate-limiter';
import { startUpstashServer, type UpstashServer } from '../../../local/upstash/upstash-server';
import { findRedisServer, freePort, startRedis } from '../../support/redis-server';

const redisBinary = findRedisServer();
const backends = [
  { name: 'embedded engine', redis: false },
  { name: 'real Redis', redis: true },
];

/** Every rule generous, except `message`: 2 per minute. */
const LIMITS = Object.fromEntries(
  LIMIT_RULE_NAMES.map((rule) => [rule, rule === 'message' ? { limit: 2, windowSeconds: 60 } : { limit: 1000, windowSeconds: 60 }]),
) as Record<LimitRuleName, RateLimit>;

const connection = (userId: string, connectionId: string, expiresAt = 2_000_000_000): ConnectionRecord => ({
  connectionId,
  userId,
  role: userId.startsWith('agent') ? 'agent' : 'customer',
  connectedAt: '2026-06-01T12:00:00.000Z',
  expiresAt,
});

describe.each(backends)('UpstashConnectionDirectory through the local Upstash endpoint ($name)', ({ redis: useRealRedis }) => {
  if (useRealRedis && !redisBinary) {
    it.skip('needs redis-server on PATH (apt: redis-server)', () => undefined);
    return;
  }
  let server: UpstashServer;
  let redisProcess: ChildProcess | undefined;
  let client: Redis;
  let runs = 0;
  const fresh = () => {
    const run = `t${Date.now()}-${runs++}:`;
    return new UpstashConnectionDirectory({
      redis: async () => client,
      limits: LIMITS,
      entrySeconds: 3600,
      prefix: run,
      ratePrefix: `${run}rl:`,
    });
  };
  const allowed = (count: number) => Array.from({ length: count }, () => ({ outcome: 'allowed' }));

  beforeAll(async () => {
    let redisUrl: string | undefined;
    if (useRealRedis && redisBinary) {
      const port = await freePort();
      redisProcess = await startRedis(redisBinary, port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    server = await startUpstashServer({ port: 0, token: 'test-token', log: () => undefined, ...(redisUrl ? { redisUrl } : {}) });
    client = new Redis({ url: server.url, token: 'test-token', automaticDeserialization: false, enableTelemetry: false });
  });

  afterAll(async () => {
    await server?.close();
    redisProcess?.kill();
  });

  it('knows nobody for a conversation it has no participants of, and learns them from a fill', async () => {
    const directory = fresh();
    const first = await directory.admit([{ rule: 'messagePerUser', key: 'guest-1' }], 'conv-1');
    expect(first.decisions).toEqual(allowed(1));
    expect(first.recipients).toMatchObject({ hinted: [], conversationId: 'conv-1' });
    expect(first.recipients?.known.size).toBe(0);
    // The push Queried both; without tokens they are not marked known, only remembered as participants.
    await directory.fill(
      first.recipients!,
      ['guest-1', 'agent-1'],
      [
        { userId: 'guest-1', connections: [connection('guest-1', 'g-a')] },
        { userId: 'agent-1', connections: [] },
      ],
    );
    const second = await directory.admit([], 'conv-1');
    expect(second.recipients?.hinted).toEqual(['guest-1', 'agent-1']);
    expect(second.recipients?.known.size).toBe(0);
    expect([...second.recipients!.fillTokens.keys()]).toEqual(['guest-1', 'agent-1']);
    await directory.fill(
      second.recipients!,
      ['guest-1', 'agent-1'],
      [
        { userId: 'guest-1', token: second.recipients!.fillTokens.get('guest-1'), connections: [connection('guest-1', 'g-a')] },
        { userId: 'agent-1', token: second.recipients!.fillTokens.get('agent-1'), connections: [] },
      ],
    );
    const warm = await directory.admit([], 'conv-1');
    expect(Object.fromEntries(warm.recipients!.known)).toEqual({ 'guest-1': [connection('guest-1', 'g-a')], 'agent-1': [] });
    expect(warm.recipients!.fillTokens.size).toBe(0);
  });

  async function warmed(directory: UpstashConnectionDirectory, users: Record<string, ConnectionRecord[]>, conversation = 'conv-w') {
    const ids = Object.keys(users);
    const cold = await directory.admit([], conversation);
    await directory.fill(cold.recipients!, ids, []);
    const hinted = await directory.admit([], conversation);
    await directory.fill(
      hinted.recipients!,
      ids,
      ids.map((userId) => ({ userId, token: hinted.recipients!.fillTokens.get(userId), connections: users[userId]! })),
    );
    const warm = await directory.admit([], conversation);
    expect([...warm.recipients!.known.keys()].sort()).toEqual([...ids].sort());
  }

  it('adds a connection to a known user and forgets a removed one', async () => {
    const directory = fresh();
    await warmed(directory, { 'guest-2': [connection('guest-2', 'g-1')] });
    await directory.add(connection('guest-2', 'g-2'));
    await directory.remove('guest-2', 'g-1');
    const read = await directory.admit([], 'conv-w');
    expect(read.recipients!.known.get('guest-2')).toEqual([connection('guest-2', 'g-2')]);
  });

  it('a connect during a fill voids it: the Query may predate the new record', async () => {
    const directory = fresh();
    await warmed(directory, { 'guest-3': [] });
    await client.del(`${(directory as unknown as { prefix: string }).prefix}dir:guest-3`);
    const lookup = (await directory.admit([], 'conv-w')).recipients!;
    const token = lookup.fillTokens.get('guest-3');
    expect(token).toBeTruthy();
    // A second reader meanwhile gets no token: one fill at a time.
    expect((await directory.admit([], 'conv-w')).recipients!.fillTokens.size).toBe(0);
    const connectToken = await directory.add(connection('guest-3', 'g-new'));
    expect(connectToken).toBeTruthy();
    await directory.fill(lookup, ['guest-3'], [{ userId: 'guest-3', token, connections: [] }]);
    const after = await directory.admit([], 'conv-w');
    expect(after.recipients!.known.has('guest-3')).toBe(false);
    // The connect's own Query (after its record) fills it with the connect's token.
    await directory.fillUsers([{ userId: 'guest-3', token: connectToken, connections: [connection('guest-3', 'g-new')] }]);
    expect((await directory.admit([], 'conv-w')).recipients!.known.get('guest-3')).toEqual([connection('guest-3', 'g-new')]);
  });

  it('a known user gets a connect added at once, with no token', async () => {
    const directory = fresh();
    await warmed(directory, { 'guest-5': [] });
    expect(await directory.add(connection('guest-5', 'g-1'))).toBeUndefined();
    expect((await directory.admit([], 'conv-w')).recipients!.known.get('guest-5')).toEqual([connection('guest-5', 'g-1')]);
  });

  it('a flush during a fill voids it, and leaves every user unknown (never "no connections")', async () => {
    const directory = fresh();
    await warmed(directory, { 'guest-4': [connection('guest-4', 'g-1')] }, 'conv-f');
    await client.set(`${(directory as unknown as { prefix: string }).prefix}dirc:conv-f`, 'guest-4');
    await client.del(`${(directory as unknown as { prefix: string }).prefix}dir:guest-4`);
    const lookup = (await directory.admit([], 'conv-f')).recipients!;
    await server.flushAll();
    await directory.fill(lookup, ['guest-4'], [{ userId: 'guest-4', token: lookup.fillTokens.get('guest-4'), connections: [] }]);
    await directory.add(connection('guest-4', 'g-2'));
    const after = await directory.admit([], 'conv-f');
    // Nothing survived: no participants, so nobody is known and the push Queries the record.
    expect(after.recipients!.hinted).toEqual([]);
    expect(after.recipients!.known.size).toBe(0);
    expect(await client.exists(`${(directory as unknown as { prefix: string }).prefix}dir:guest-4`)).toBe(0);
  });

  it('pushes: reads recipients, tells which frames are unchanged since the last one remembered, and fills unknown users', async () => {
    const directory = fresh();
    await warmed(directory, { 'guest-6': [connection('guest-6', 'g-1')] });
    const push = (userId: string, key: string, digest: string, force = false) => ({ userId, key, digest, force });
    const first = await directory.lookupPushes([push('guest-6', 'queued:c6', 'tech|2'), push('guest-7', 'queued:c7', 'tech|3')]);
    expect([...first!.unchanged]).toEqual([]);
    expect(Object.fromEntries(first!.known)).toEqual({ 'guest-6': [connection('guest-6', 'g-1')] });
    const token = first!.fillTokens.get('guest-7');
    expect(token).toBeTruthy();
    await directory.rememberPushes(
      [
        { key: 'queued:c6', digest: 'tech|2' },
        { key: 'queued:c7', digest: 'tech|3' },
      ],
      [{ userId: 'guest-7', token, connections: [connection('guest-7', 'g-7')] }],
    );
    const again = await directory.lookupPushes([
      push('guest-6', 'queued:c6', 'tech|2'),
      push('guest-7', 'queued:c7', 'tech|2'),
      push('guest-6', 'queued:c6b', 'tech|2'),
    ]);
    // The same frame under the same key is unchanged; another digest or another key is not.
    expect([...again!.unchanged]).toEqual(['queued:c6']);
    expect(Object.fromEntries(again!.known)).toEqual({
      'guest-6': [connection('guest-6', 'g-1')],
      'guest-7': [connection('guest-7', 'g-7')],
    });
    // Forced (a conversation that just joined): read and told even when unchanged.
    const forced = await directory.lookupPushes([push('guest-6', 'queued:c6', 'tech|2', true)]);
    expect([...forced!.unchanged]).toEqual([]);
    expect(forced!.known.get('guest-6')).toEqual([connection('guest-6', 'g-1')]);
  });

  it('answers no push lookup when Redis cannot be reached', async () => {
    const directory = fresh();
    server.setReachable(false);
    try {
      expect(await directory.lookupPushes([{ userId: 'guest-x', key: 'queued:x', digest: 'd' }])).toBeUndefined();
    } finally {
      server.setReachable(true);
    }
  });

  it('counts sliding-window limits on @upstash/ratelimit keys: a third message in the minute is limited', async () => {
    const run = `t${Date.now()}-${runs++}:`;
    const directory = new UpstashConnectionDirectory({
      redis: async () => client,
      limits: LIMITS,
      entrySeconds: 3600,
      prefix: run,
      ratePrefix: `${run}rl:`,
    });
    const limiter = new UpstashRateLimiter({ redis: async () => client, limits: LIMITS, prefix: `${run}rl:` });
    const checks = [
      { rule: 'message', key: 'conn-1' },
      { rule: 'messagePerUser', key: 'user-1' },
    ] as const;
    expect((await directory.admit(checks, 'conv-r')).decisions).toEqual(allowed(2));
    // The library's limiter reads the same counter: its check is the second of two.
    expect(await limiter.consume([checks[0]])).toEqual(allowed(1));
    const third = await directory.admit(checks, 'conv-r');
    expect(third.decisions[0]).toMatchObject({ outcome: 'limited' });
    expect((third.decisions[0] as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect((third.decisions[0] as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(third.decisions[1]).toEqual({ outcome: 'allowed' });
    // Blocked now: the next one is refused from the container's memory, without Redis.
    const before = server.commandCount();
    expect((await directory.admit(checks, 'conv-r')).decisions[0]).toMatchObject({ outcome: 'limited' });
    expect(server.commandCount()).toBe(before);
  });

  it('answers unknown decisions and no recipients when Redis cannot be reached', async () => {
    const directory = fresh();
    server.setReachable(false);
    try {
      const admitted = await directory.admit([{ rule: 'message', key: 'conn-x' }], 'conv-x');
      expect(admitted.decisions).toEqual([{ outcome: 'unknown', reason: expect.any(String) }]);
      expect(admitted.recipients).toBeUndefined();
      await expect(directory.add(connection('guest-x', 'x'))).rejects.toThrow(/Redis add failed/);
    } finally {
      server.setReachable(true);
    }
  });
});

describe('UpstashConnectionDirectory when Redis hangs', () => {
  // A Redis whose every command never answers (as the Upstash client retrying an unreachable
  // endpoint for seconds): queue positions go on without it instead of holding the router.
  const hanging = { eval: () => new Promise<never>(() => undefined) } as unknown as Redis;
  const directory = new UpstashConnectionDirectory({
    redis: async () => hanging,
    limits: LIMITS,
    entrySeconds: 3600,
    pushTimeoutMs: 50,
  });

  it('answers no push lookup once its timeout passes', async () => {
    expect(await directory.lookupPushes([{ userId: 'guest-h', key: 'queued:h', digest: 'd' }])).toBeUndefined();
  });

  it('fails a push remember once its timeout passes', async () => {
    await expect(directory.rememberPushes([{ key: 'queued:h', digest: 'd' }], [])).rejects.toThrow(/did not answer in time/);
  });
});
