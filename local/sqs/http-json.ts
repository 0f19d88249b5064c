import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads a request body up to `limitBytes`; larger bodies reject with a RangeError. */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size > limitBytes) return; // already rejected; drain the rest so a response can still be sent
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        reject(new RangeError(`Request body exceeds ${limitBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.writableEnded || response.destroyed) return;
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

/** The host to put in URLs for a bind address (wildcards are not dialable). */
export function urlHostFor(bindHost: string): string {
  if (bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '') return '127.0.0.1';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}
