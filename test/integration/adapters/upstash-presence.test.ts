import type { ChildProcess } from 'node:child_process';
import { Redis } from '@upstash/redis';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstashAgentPresence } from '../../../functions/adapters/upstash/agent-presence';
import { UpstashConnectionDirectory } from '../../../functions/adapters/upstash/connection-directory';
import { LIMIT_RULE_NAMES, type LimitRuleName } from '../../../functions/domain/limits';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import type { RateLimit } from '../../../functions/ports/rate-limiter';
import { rankCandidates, type AgentAvailability } from '../../../functions/domain/routing';
import { startUpstashServer, type UpstashServer } from '../../../local/upstash/upstash-server';
import { findRedisServer, freePort, startRedis } from '../../support/redis-server';
import { waitFor } from '../../support/wait';

const now = () => new Date().toISOString();
const LIMITS = Object.fromEntries(LIMIT_RULE_NAMES.map((rule) => [rule, { limit: 1000, windowSeconds: 60 }])) as Record<
  LimitRuleName,
  RateLimit
>;
const redisBinary = findRedisServer();

// The scripts must behave the same on the embedded engine and on a real Redis. Without
// redis-server the real-Redis variant is reported as skipped, never silently dropped.
const backends = [
  { name: 'embedded engine', redis: false },
  { name: 'real Redis', redis: true },
];

describe.each(backends)('UpstashAgentPresence through the local Upstash endpoint ($name)', ({ redis: useRealRedis }) => {
  if (useRealRedis && !redisBinary) {
    it.skip('needs redis-server on PATH (apt: redis-server)', () => undefined);
    return;
  }
  let server: UpstashServer;
  let redisProcess: ChildProcess | undefined;
  let client: Redis;
  let runs = 0;
  const presenceWith = (graceSeconds = 60, prefix = `t${Date.now()}-${runs++}:`) =>
    new UpstashAgentPresence(async () => client, { defaultSkill: 'general', graceSeconds, prefix });
  let presence: UpstashAgentPresence;

  beforeAll(async () => {
    let redisUrl: string | undefined;
    if (useRealRedis && redisBinary) {
      const port = await freePort();
      redisProcess = await startRedis(redisBinary, port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    server = await startUpstashServer({ port: 0, token: 'test-token', ...(redisUrl ? { redisUrl } : {}) });
    client = new Redis({ url: server.url, token: 'test-token', automaticDeserialization: false, enableTelemetry: false });
    presence = presenceWith();
  });

  afterAll(async () => {
    await server?.close();
    redisProcess?.kill();
  });

  it('reads back what setStatus stored', async () => {
    await presence.setStatus({ id: 'a1', name: 'Ann', status: 'online', skills: ['billing', 'tech'], capacity: 2 }, now());
    expect(await presence.get('a1')).toMatchObject({
      id: 'a1',
      name: 'Ann',
      status: 'online',
      skills: ['billing', 'tech'],
      load: 0,
      capacity: 2,
    });
    expect(await presence.get('nobody')).toBeUndefined();
  });

  it('remembers when the status last changed: not on a repeat, again on a change or after presence lapsed', async () => {
    const fresh = presenceWith();
    const agent = { id: 's1', name: 'Sam', skills: ['tech'], capacity: 2 };
    await fresh.setStatus({ ...agent, status: 'online' }, '2030-01-01T09:00:00.000Z');
    await fresh.setStatus({ ...agent, status: 'online', capacity: 3 }, '2030-01-01T09:05:00.000Z');
    expect(await fresh.get('s1')).toMatchObject({ status: 'online', statusSince: '2030-01-01T09:00:00.000Z' });
    expect((await fresh.listOnline()).find((one) => one.id === 's1')?.statusSince).toBe('2030-01-01T09:00:00.000Z');
    await fresh.setStatus({ ...agent, status: 'away' }, '2030-01-01T09:10:00.000Z', { live: false });
    expect(await fresh.get('s1')).toMatchObject({ status: 'away', statusSince: '2030-01-01T09:10:00.000Z' });
    // Presence gone (its key expired): it was offline, so coming back online is a change.
    await client.del(`${(fresh as unknown as { prefix: string }).prefix}alive:s1`);
    expect((await fresh.get('s1'))?.statusSince).toBeUndefined();
    await fresh.setStatus({ ...agent, status: 'away' }, '2030-01-01T09:20:00.000Z');
    expect(await fresh.get('s1')).toMatchObject({ status: 'away', statusSince: '2030-01-01T09:20:00.000Z' });
  });

  it('the sweep records when it took a lapsed agent offline', async () => {
    const prefix = `t${Date.now()}-${runs++}:`;
    const fresh = presenceWith(60, prefix);
    await fresh.setStatus({ id: 'w1', name: 'Wu', status: 'online', skills: [], capacity: 1 }, '2030-01-01T09:00:00.000Z');
    await client.del(`${prefix}alive:w1`);
    expect(await fresh.sweepExpired('2030-01-01T09:01:00.000Z')).toEqual(['w1']);
    expect(await fresh.get('w1')).toMatchObject({ status: 'offline', statusSince: '2030-01-01T09:01:00.000Z' });
  });

  it('rebuilding from the record (onlyIfForgotten) writes over no status or a lapsed one, never over a status set since', async () => {
    const prefix = `t${Date.now()}-${runs++}:`;
    const fresh = presenceWith(60, prefix);
    const ada = { id: 'r1', name: 'Ada', skills: [], capacity: 2 };
    // Redis holds nothing for the agent: the rebuild writes.
    expect(await fresh.setStatus({ ...ada, status: 'online' }, '2030-01-01T09:00:00.000Z', { onlyIfForgotten: true })).toBe(true);
    expect(await fresh.get('r1')).toMatchObject({ status: 'online' });
    // The agent chose offline meanwhile: a rebuild from the older record changes nothing.
    expect(await fresh.setStatus({ ...ada, status: 'offline' }, '2030-01-01T09:01:00.000Z')).toBe(true);
    expect(await fresh.setStatus({ ...ada, status: 'online' }, '2030-01-01T09:02:00.000Z', { onlyIfForgotten: true })).toBe(false);
    expect(await fresh.get('r1')).toMatchObject({ status: 'offline' });
    // The sweep's lapsed offline is not the agent's choice: a rebuild writes over it.
    await fresh.setStatus({ ...ada, status: 'online' }, '2030-01-01T09:03:00.000Z');
    await client.del(`${prefix}alive:r1`);
    expect(await fresh.sweepExpired('2030-01-01T09:04:00.000Z')).toEqual(['r1']);
    expect(await fresh.setStatus({ ...ada, status: 'online' }, '2030-01-01T09:05:00.000Z', { onlyIfForgotten: true })).toBe(true);
    expect(await fresh.get('r1')).toMatchObject({ status: 'online' });
  });

  it('lists live online agents and counts those serving a skill (everyone serves the default skill)', async () => {
    await presence.setStatus({ id: 'b1', name: 'Bo', status: 'online', skills: ['billing'], capacity: 3 }, now());
    expect((await presence.listOnline()).map((agent) => agent.id).sort()).toEqual(['a1', 'b1']);
    expect((await presence.outlook('tech')).agentsServing).toBe(1);
    expect((await presence.outlook('billing')).agentsServing).toBe(2);
    expect((await presence.outlook('general')).agentsServing).toBe(2);
  });

  it('claims capacity atomically up to the limit; a repeated claim is the same claim; release is idempotent', async () => {
    const claims = await Promise.all(Array.from({ length: 5 }, (_, i) => presence.claimAgent('a1', `c${i}#1`, now())));
    expect(claims.filter(Boolean)).toHaveLength(2);
    const held = claims.findIndex(Boolean);
    expect(await presence.claimAgent('a1', `c${held}#1`, now())).toBe(true);
    expect((await presence.get('a1'))?.load).toBe(2);
    expect(await presence.release('a1', `c${held}#1`, now())).toBe(true);
    expect(await presence.release('a1', `c${held}#1`, now())).toBe(false);
    expect((await presence.get('a1'))?.load).toBe(1);
  });

  it('claimBest picks the lowest load ratio, reuses an existing claim, and reports who serves when nobody has room', async () => {
    // a1 holds 1 of 2, b1 0 of 3: b1 first.
    const first = await presence.claimBest('billing', 'x#1', now());
    expect(first).toMatchObject({ agent: { id: 'b1', name: 'Bo' }, reused: false, agentsServing: 2 });
    expect(await presence.claimBest('billing', 'x#1', now())).toMatchObject({ agent: { id: 'b1' }, reused: true });
    // tech: only a1 serves it and has one unit left.
    expect(await presence.claimBest('tech', 'y#1', now())).toMatchObject({ agent: { id: 'a1' } });
    expect(await presence.claimBest('tech', 'z#1', now())).toMatchObject({ agentsServing: 1, reused: false });
    expect((await presence.claimBest('tech', 'z#1', now())).agent).toBeUndefined();
  });

  it("claimBest with readConnectionsOf reads the claimed agent's and those users' directory entries in the same command", async () => {
    const prefix = `t${Date.now()}-${runs++}:`;
    const claimer = presenceWith(60, prefix);
    const directory = new UpstashConnectionDirectory({ redis: async () => client, limits: LIMITS, entrySeconds: 3600, prefix });
    const connection = (userId: string, connectionId: string): ConnectionRecord => ({
      connectionId,
      userId,
      role: userId.startsWith('guest:') ? 'customer' : 'agent',
      connectedAt: now(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    // The agent and one customer are known (a connect, then the fill its token allows); another customer is not.
    for (const [userId, connectionId] of [
      ['d1', 'conn-agent'],
      ['guest:known', 'conn-known'],
    ] as const) {
      const token = await directory.add(connection(userId, connectionId));
      await directory.fillUsers([{ userId, token, connections: [connection(userId, connectionId)] }]);
    }
    await claimer.setStatus({ id: 'd1', name: 'Di', status: 'online', skills: ['sales'], capacity: 2 }, now());

    const claimed = await claimer.claimBest('sales', 'k#1', now(), { readConnectionsOf: ['guest:known', 'guest:unknown'] });
    expect(claimed).toMatchObject({ agent: { id: 'd1' }, reused: false });
    expect([...(claimed.connections?.known.keys() ?? [])].sort()).toEqual(['d1', 'guest:known']);
    expect(claimed.connections?.known.get('d1')?.map((entry) => entry.connectionId)).toEqual(['conn-agent']);
    expect(claimed.connections?.known.get('guest:known')?.[0]).toMatchObject({ connectionId: 'conn-known', role: 'customer' });
    // The unknown customer gets the one fill in flight: a second read finds it taken.
    const token = claimed.connections?.fillTokens.get('guest:unknown');
    expect(token).toEqual(expect.any(String));
    const again = await claimer.claimBest('sales', 'k#1', now(), { readConnectionsOf: ['guest:unknown'] });
    expect(again).toMatchObject({ agent: { id: 'd1' }, reused: true });
    expect(again.connections?.fillTokens.has('guest:unknown')).toBe(false);
    expect(again.connections?.known.has('guest:unknown')).toBe(false);
    // That token fills it; then it is known.
    await directory.fillUsers([{ userId: 'guest:unknown', token, connections: [connection('guest:unknown', 'conn-late')] }]);
    const filled = await claimer.claimBest('sales', 'k#1', now(), { readConnectionsOf: ['guest:unknown'] });
    expect(filled.connections?.known.get('guest:unknown')?.map((entry) => entry.connectionId)).toEqual(['conn-late']);

    // Without readConnectionsOf, or with nobody to claim, nothing is read.
    expect((await claimer.claimBest('sales', 'm#1', now())).connections).toBeUndefined();
    const full = await claimer.claimBest('sales', 'n#1', now(), { readConnectionsOf: ['guest:known'] });
    expect(full.agent).toBeUndefined();
    expect(full.connections).toBeUndefined();
  });

  it('records handling times once per claim and averages them for the ETA', async () => {
    expect((await presence.outlook('tech')).averageHandleSeconds).toBe(240);
    await presence.release('a1', 'y#1', now(), { skill: 'tech', seconds: 100 });
    await presence.release('a1', 'y#1', now(), { skill: 'tech', seconds: 100 });
    await presence.claimAgent('a1', 'w#1', now());
    await presence.release('a1', 'w#1', now(), { skill: 'tech', seconds: 200 });
    expect((await presence.outlook('tech')).averageHandleSeconds).toBe(150);
  });

  it('takes away and offline agents out of routing, and follows skill changes', async () => {
    await presence.setStatus({ id: 'a1', name: 'Ann', status: 'away', skills: ['billing', 'tech'], capacity: 2 }, now());
    expect(await presence.claimAgent('a1', 'q#1', now())).toBe(false);
    expect((await presence.outlook('tech')).agentsServing).toBe(0);
    await presence.setStatus({ id: 'b1', name: 'Bo', status: 'online', skills: ['tech'], capacity: 3 }, now());
    expect((await presence.outlook('billing')).agentsServing).toBe(0);
    expect((await presence.outlook('tech')).agentsServing).toBe(1);
  });

  it('lets presence expire without heartbeats: the agent counts as offline and the sweep reports it once', async () => {
    // Two views of one key space: `short` writes 1 s presence, `long` 60 s presence. No step
    // races the clock: e1 lapses whenever the machine gets there, and e2, refreshed by `long`,
    // cannot lapse within the test's lifetime.
    const prefix = `t${Date.now()}-${runs++}:`;
    const short = presenceWith(1, prefix);
    const long = presenceWith(60, prefix);
    // e2 first, so without the refresh its presence would lapse no later than e1's.
    await short.setStatus({ id: 'e2', name: 'Eli', status: 'online', skills: [], capacity: 1 }, now());
    await short.setStatus({ id: 'e1', name: 'Eve', status: 'online', skills: [], capacity: 1 }, now());
    expect(await client.pttl(`${prefix}alive:e1`)).toBeGreaterThan(0);
    expect(await client.pttl(`${prefix}alive:e1`)).toBeLessThanOrEqual(1_000);
    await long.touch('e2', now());
    expect(await client.pttl(`${prefix}alive:e2`)).toBeGreaterThan(1_000);
    // Bounded by the grace plus the time the backend may take to notice, not by machine speed.
    await waitFor(async () => (await short.get('e1'))?.status === 'offline', { timeoutMs: 1_000 + 15_000, message: 'e1 offline' });
    expect((await short.get('e2'))?.status).toBe('online');
    expect(await short.claimAgent('e1', 'c#1', now())).toBe(false);
    expect(await short.sweepExpired()).toEqual(['e1']);
    expect(await short.sweepExpired()).toEqual([]);
    expect((await short.listOnline()).map((agent) => agent.id)).toEqual(['e2']);
  });

  it('touch says whether Redis still knows the agent: known, unknown once its keys are gone, lapsed after the sweep', async () => {
    const prefix = `t${Date.now()}-${runs++}:`;
    const fresh = presenceWith(60, prefix);
    expect(await fresh.touch('k1', now())).toBe('unknown');
    await fresh.setStatus({ id: 'k1', name: 'Kit', status: 'online', skills: ['tech'], capacity: 2 }, now());
    expect(await fresh.touch('k1', now())).toBe('known');
    expect((await fresh.snapshot()).find((agent) => agent.id === 'k1')).toMatchObject({ status: 'online', known: true });

    await client.del(`${prefix}alive:k1`);
    expect(await fresh.sweepExpired(now())).toEqual(['k1']);
    expect(await fresh.touch('k1', now())).toBe('lapsed');
    // Setting a status (the agent's own, or restored from its record) ends the lapse.
    await fresh.setStatus({ id: 'k1', name: 'Kit', status: 'online', skills: ['tech'], capacity: 2 }, now());
    expect(await fresh.touch('k1', now())).toBe('known');

    // Redis loses the agent (a flush, an eviction): only reconcile's repaired claims remain.
    await client.del(`${prefix}agent:k1`);
    await fresh.repairClaims('k1', { add: ['c#1'], remove: [], removeBeforeMs: 0 }, now());
    expect((await fresh.snapshot()).find((agent) => agent.id === 'k1')).toMatchObject({ status: 'offline', known: false });
    expect(await fresh.touch('k1', now())).toBe('unknown');
    expect(await fresh.get('k1')).toBeUndefined();
  });

  it('does not sweep an agent whose presence is live', async () => {
    const fresh = presenceWith(60);
    await fresh.setStatus({ id: 'l1', name: 'Liv', status: 'online', skills: [], capacity: 1 }, now());
    expect(await fresh.sweepExpired()).toEqual([]);
    expect((await fresh.get('l1'))?.status).toBe('online');
  });

  it('snapshots claims and repairs them, removing only claims older than the cutoff', async () => {
    const fresh = presenceWith();
    const at = Date.now();
    await fresh.setStatus({ id: 'r1', name: 'Rae', status: 'online', skills: [], capacity: 5 }, now());
    await fresh.claimAgent('r1', 'old#1', new Date(at - 300_000).toISOString());
    await fresh.claimAgent('r1', 'young#1', now());
    const [snapshot] = await fresh.snapshot();
    expect(snapshot).toMatchObject({ id: 'r1', status: 'online', capacity: 5 });
    expect([...snapshot!.claims.keys()].sort()).toEqual(['old#1', 'young#1']);
    const changed = await fresh.repairClaims(
      'r1',
      { add: ['missing#2'], remove: ['old#1', 'young#1'], removeBeforeMs: at - 120_000 },
      now(),
    );
    expect(changed).toEqual({ added: 1, removed: 1 });
    expect([...(await fresh.snapshot())[0]!.claims.keys()].sort()).toEqual(['missing#2', 'young#1']);
  });

  it('ranks candidates exactly as domain/routing.ts does', async () => {
    const agentArb = fc.record({
      load: fc.integer({ min: 0, max: 4 }),
      capacity: fc.integer({ min: 1, max: 4 }),
      idle: fc.integer({ min: 0, max: 3 }),
      status: fc.constantFrom('online', 'away'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(agentArb, { minLength: 1, maxLength: 5 }), async (specs) => {
        const store = presenceWith();
        const agents: AgentAvailability[] = [];
        for (const [index, spec] of specs.entries()) {
          const id = `g${index}`;
          const idleSince = `2026-01-01T00:00:0${spec.idle}.000Z`;
          await store.setStatus({ id, name: id, status: spec.status as 'online' | 'away', skills: [], capacity: spec.capacity }, idleSince);
          const load = Math.min(spec.load, spec.capacity);
          for (let unit = 0; unit < load; unit++)
            await store.repairClaims(id, { add: [`pre${unit}#1`], remove: [], removeBeforeMs: 0 }, idleSince);
          agents.push({ id, name: id, status: spec.status as 'online' | 'away', skills: [], load, capacity: spec.capacity, idleSince });
        }
        const expected = rankCandidates(agents, 'general', 'general')[0]?.id;
        const outcome = await store.claimBest('general', 'probe#1', now());
        expect(outcome.agent?.id).toBe(expected);
      }),
      { numRuns: 25 },
    );
  });
});
