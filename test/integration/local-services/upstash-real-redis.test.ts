import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, it } from 'vitest';
import { startUpstashServer } from '../../../local/upstash/upstash-server';
import { TEST_TOKEN, defineUpstashSuite } from './upstash-suite';

function findRedisServer(): string | undefined {
  try {
    return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** redis-server cannot bind port 0, so borrow a free port from the OS first. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function startRedis(binary: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => reject(new Error('redis-server did not become ready')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', reject);
  });
}

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
