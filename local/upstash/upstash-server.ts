import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson, urlHostFor } from '../sqs/http-json';
import { createEmbeddedBackend } from './embedded-backend';
import { createIoredisBackend } from './ioredis-backend';
import { type NoticeLog, RedisHealthReporter, redactedRedisUrl } from './redis-health-reporter';
import type { CommandResult, RedisBackend, RedisReply } from './redis-backend';
import { encodeBase64Reply } from './upstash-encoding';
import type { UpstashRequest } from './upstash-request';
import { UpstashRequestError, parseUpstashRequest } from './upstash-request';

export interface UpstashServer {
  readonly url: string;
  readonly port: number;
  /** The HTTP server behind the endpoint (the local stack also serves its own clients with it in memory). */
  readonly server: Server;
  /** Redis commands executed since start (or the last reset); each pipeline entry counts. */
  commandCount(): number;
  resetCommandCount(): void;
  /** Chaos fault: every key dropped, as an Upstash reset, eviction or failover would. */
  flushAll(): Promise<void>;
  /**
   * Fault injection for the embedded engine (or in front of a real Redis): while unreachable
   * every request's socket is cut unanswered, as an unreachable Upstash would. Reported once
   * per change, like a real Redis going away.
   */
  setReachable(reachable: boolean): void;
  close(): Promise<void>;
}

export interface UpstashServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** The bearer token clients must send (UPSTASH_REDIS_REST_TOKEN). */
  token: string;
  /** Use a real Redis (e.g. redis://127.0.0.1:6379) instead of the embedded engine. */
  redisUrl?: string;
  /** Where "Redis unreachable" / "Redis back" go (default: the console). */
  log?: NoticeLog;
}

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

function isAuthorized(request: IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization;
  const presented = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : url.searchParams.get('_token');
  if (presented === null || presented === undefined) return false;
  const expected = Buffer.from(token);
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function resultBody(result: CommandResult, encode: (reply: RedisReply) => RedisReply): { result: RedisReply } | { error: string } {
  return result.ok ? { result: encode(result.value) } : { error: result.error };
}

/** Starts an HTTP endpoint that speaks the Upstash Redis REST API used by @upstash/redis. */
export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const health = new RedisHealthReporter(options.redisUrl ? redactedRedisUrl(options.redisUrl) : 'embedded engine', options.log);
  const backend: RedisBackend = options.redisUrl ? await createIoredisBackend(options.redisUrl, health) : createEmbeddedBackend();
  let outage = false;
  let executed = 0;

  async function answer(request: UpstashRequest, encode: (reply: RedisReply) => RedisReply, response: ServerResponse): Promise<void> {
    switch (request.kind) {
      case 'single': {
        executed += 1;
        const [result] = await backend.run([request.command]);
        if (!result) throw new Error('backend returned no result');
        sendJson(response, result.ok ? 200 : 400, resultBody(result, encode));
        return;
      }
      case 'pipeline': {
        executed += request.commands.length;
        const results = await backend.run(request.commands);
        sendJson(
          response,
          200,
          results.map((result) => resultBody(result, encode)),
        );
        return;
      }
      case 'transaction': {
        executed += request.commands.length;
        const outcome = await backend.transaction(request.commands);
        if ('aborted' in outcome) sendJson(response, 400, { error: outcome.aborted });
        else
          sendJson(
            response,
            200,
            outcome.map((result) => resultBody(result, encode)),
          );
        return;
      }
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (outage) {
      health.unreachable('outage fault injected');
      request.socket.destroy();
      return;
    }
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (!isAuthorized(request, url, options.token)) {
        sendJson(response, 401, { error: 'Unauthorized' });
        return;
      }
      const body = await readBody(request, MAX_REQUEST_BYTES);
      const parsed = parseUpstashRequest(request.method ?? 'GET', url.pathname, body);
      const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
      await answer(parsed, base64 ? encodeBase64Reply : (reply) => reply, response);
    } catch (error) {
      if (error instanceof UpstashRequestError) sendJson(response, 400, { error: error.message });
      else if (error instanceof RangeError) sendJson(response, 413, { error: `ERR ${error.message}` });
      else sendJson(response, 500, { error: `ERR ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => void handle(request, response));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await backend.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHostFor(host)}:${port}`,
    port,
    server,
    commandCount: () => executed,
    resetCommandCount: () => {
      executed = 0;
    },
    flushAll: () => backend.flushAll(),
    setReachable: (reachable) => {
      outage = !reachable;
      if (reachable) health.back();
      else health.unreachable('outage fault injected');
    },
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await backend.close();
    },
  };
}
