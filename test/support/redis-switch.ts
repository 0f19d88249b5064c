import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP pass-through in front of the local Upstash endpoint that a test can switch off:
 * while off it cuts every request's socket without answering, as an unreachable Redis would.
 */
export interface RedisSwitch {
  readonly url: string;
  /** Requests cut while off. */
  readonly cut: number;
  setReachable(reachable: boolean): void;
  close(): Promise<void>;
}

export async function startRedisSwitch(upstreamUrl: string): Promise<RedisSwitch> {
  let reachable = true;
  let cut = 0;
  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    if (!reachable) {
      cut += 1;
      request.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'),
    );
    const upstream = await fetch(`${upstreamUrl}${request.url ?? '/'}`, {
      method: request.method ?? 'POST',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  };
  const server = createServer((request, response) => {
    forward(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get cut() {
      return cut;
    },
    setReachable: (value) => {
      reachable = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
