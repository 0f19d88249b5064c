import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, it } from 'vitest';
import { startUpstashServer } from '../../../local/upstash/upstash-server';
import { TEST_TOKEN, defineUpstashSuite } from './upstash-suite';
import { findRedisServer, freePort, startRedis } from '../../support/redis-server';

const redisServerBinary = findRedisServer();

if (redisServerBinary) {
  let redisProcess: ChildProcess | undefined;
  afterAll(() => {
    redisProcess?.kill();
  });
  defineUpstashSuite('real Redis via ioredis', async () => {
    const port = await freePort();
    redisProcess = await startRedis(redisServerBinary, port);
    return startUpstashServer({ port: 0, token: TEST_TOKEN, redisUrl: `redis://127.0.0.1:${port}` });
  });
} else {
  describe('Upstash REST endpoint (real Redis via ioredis)', () => {
    it.skip('skipped: redis-server is not installed on this machine, so the suite ran only against the embedded engine', () => undefined);
  });
}
