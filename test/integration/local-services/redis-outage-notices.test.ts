import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { redactedRedisUrl } from '../../../local/upstash/redis-health-reporter';
import { startUpstashServer, type UpstashServer } from '../../../local/upstash/upstash-server';
import { findRedisServer, freePort, startRedis } from '../../support/redis-server';
import { budget } from '../../support/setup';
import { waitFor } from '../../support/wait';

/** A Redis outage is one notice when Redis goes and one when it is back, never a flood. */
const TOKEN = 'outage-test-token';
const redisServerBinary = findRedisServer();

async function ping(server: UpstashServer): Promise<'PONG' | 'failed'> {
  try {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(['PING']),
    });
    const body = (await response.json()) as { result?: unknown };
    return body.result === 'PONG' ? 'PONG' : 'failed';
  } catch {
    return 'failed';
  }
}

/** Pings until `count` have failed: the outage has gone on through several reconnect attempts. */
async function failedPings(server: UpstashServer, count: number): Promise<void> {
  let failed = 0;
  await waitFor(async () => ((await ping(server)) === 'failed' ? ++failed : failed) >= count, {
    timeoutMs: budget(count),
    message: `${count} failed pings`,
  });
}

let consoleErrors: { mock: { calls: unknown[][] }; mockRestore(): void };
beforeEach(() => {
  consoleErrors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => consoleErrors.mockRestore());

const noticesIn = (lines: readonly string[]) => lines.filter((line) => /Redis (unreachable|back)/.test(line));

it('names Redis without its password', () => {
  expect(redactedRedisUrl('redis://default:secret@cache.example:6380/2')).toBe('redis://cache.example:6380/2');
});

describe('the embedded engine outage fault', () => {
  it('is reported once when it starts and once when it ends', async () => {
    const lines: string[] = [];
    const server = await startUpstashServer({ port: 0, token: TOKEN, log: (line) => lines.push(line) });
    try {
      expect(await ping(server)).toBe('PONG');
      server.setReachable(false);
      await failedPings(server, 5);
      server.setReachable(true);
      expect(await ping(server)).toBe('PONG');
      expect(noticesIn(lines)).toEqual([
        expect.stringMatching(/Redis unreachable \(embedded engine\)/),
        expect.stringMatching(/Redis back/),
      ]);
    } finally {
      await server.close();
    }
  });
});

if (redisServerBinary) {
  describe('a real Redis behind REDIS_URL going away', () => {
    let redis: ChildProcess | undefined;
    let server: UpstashServer | undefined;
    afterAll(async () => {
      await server?.close();
      redis?.kill('SIGKILL');
    });

    it(
      'is reported once per state change, with no unhandled ioredis errors',
      async () => {
        const port = await freePort();
        redis = await startRedis(redisServerBinary, port);
        const lines: string[] = [];
        server = await startUpstashServer({
          port: 0,
          token: TOKEN,
          redisUrl: `redis://127.0.0.1:${port}`,
          log: (line) => lines.push(line),
        });
        expect(await ping(server)).toBe('PONG');

        const exited = once(redis, 'exit');
        redis.kill('SIGKILL');
        await exited;
        await failedPings(server, 3);
        expect(noticesIn(lines)).toEqual([expect.stringMatching(/Redis unreachable \(redis:\/\/127\.0\.0\.1:\d+\)/)]);

        redis = await startRedis(redisServerBinary, port);
        await waitFor(async () => (await ping(server!)) === 'PONG', { timeoutMs: budget(2), message: 'Redis answering again' });
        await waitFor(() => noticesIn(lines).length === 2, { message: 'the notice that Redis is back' });
        expect(noticesIn(lines)[1]).toMatch(/Redis back/);
        const printed = consoleErrors.mock.calls.map((call) => call.map(String).join(' '));
        expect(printed.filter((line) => line.includes('ioredis'))).toEqual([]);
      },
      budget(8),
    );
  });
} else {
  describe('a real Redis behind REDIS_URL going away', () => {
    it.skip('skipped: redis-server is not installed on this machine (CI installs it)', () => undefined);
  });
}
