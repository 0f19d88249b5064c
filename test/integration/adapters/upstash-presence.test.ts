import type { ChildProcess } from 'node:child_process';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstashAgentPresence } from '../../../functions/adapters/upstash/agent-presence';
import { startUpstashServer, type UpstashServer } from '../../../local/upstash/upstash-server';
import { findRedisServer, freePort, startRedis } from '../../support/redis-server';

const now = () => new Date().toISOString();
const redisBinary = findRedisServer();

// The scripts must behave the same on the embedded engine and on a real Redis (when installed).
const backends = [
  { name: 'embedded engine', redis: false },
  ...(redisBinary ? [{ name: 'real Redis', redis: true }] : []),
];

describe.each(backends)('UpstashAgentPresence through the local Upstash endpoint ($name)', ({ redis: useRealRedis }) => {
  let server: UpstashServer;
  let redisProcess: ChildProcess | undefined;
  let presence: UpstashAgentPresence;

  beforeAll(async () => {
    let redisUrl: string | undefined;
    if (useRealRedis && redisBinary) {
      const port = await freePort();
      redisProcess = await startRedis(redisBinary, port);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    server = await startUpstashServer({ port: 0, token: 'test-token', ...(redisUrl ? { redisUrl } : {}) });
    const client = new Redis({ url: server.url, token: 'test-token', automaticDeserialization: false, enableTelemetry: false });
    presence = new UpstashAgentPresence(async () => client, 'general', `t${Date.now()}:`);
  });

  afterAll(async () => {
    await server?.close();
    redisProcess?.kill();
  });

  it('reads back what setStatus stored', async () => {
    await presence.setStatus({ id: 'a1', name: 'Ann', status: 'online', skills: ['billing', 'tech'], capacity: 2 }, now());
    expect(await presence.get('a1')).toMatchObject({ id: 'a1', name: 'Ann', status: 'online', skills: ['billing', 'tech'], load: 0, capacity: 2 });
    expect(await presence.get('nobody')).toBeUndefined();
  });

  it('lists online agents per skill, and everyone online for the default skill', async () => {
    await presence.setStatus({ id: 'b1', name: 'Bo', status: 'online', skills: ['billing'], capacity: 3 }, now());
    expect((await presence.onlineFor('tech')).map((agent) => agent.id)).toEqual(['a1']);
    expect((await presence.onlineFor('billing')).map((agent) => agent.id).sort()).toEqual(['a1', 'b1']);
    expect((await presence.onlineFor('general')).map((agent) => agent.id).sort()).toEqual(['a1', 'b1']);
  });

  it('claims capacity atomically up to the limit and releases never below zero', async () => {
    const claims = await Promise.all(Array.from({ length: 5 }, () => presence.claim('a1', now())));
    expect(claims.filter(Boolean)).toHaveLength(2);
    expect((await presence.get('a1'))?.load).toBe(2);
    await presence.release('a1', now());
    await presence.release('a1', now());
    await presence.release('a1', now());
    expect((await presence.get('a1'))?.load).toBe(0);
  });

  it('takes away and offline agents out of routing, and follows skill changes', async () => {
    await presence.setStatus({ id: 'a1', name: 'Ann', status: 'away', skills: ['billing', 'tech'], capacity: 2 }, now());
    expect(await presence.claim('a1', now())).toBe(false);
    expect((await presence.onlineFor('tech')).map((agent) => agent.id)).toEqual([]);
    await presence.setStatus({ id: 'b1', name: 'Bo', status: 'online', skills: ['tech'], capacity: 3 }, now());
    expect((await presence.onlineFor('billing')).map((agent) => agent.id)).toEqual([]);
    expect((await presence.onlineFor('tech')).map((agent) => agent.id)).toEqual(['b1']);
  });
});
