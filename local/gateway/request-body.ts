import type { IncomingMessage } from 'node:http';

export type BodyReadResult = { readonly kind: 'ok'; readonly body: Buffer } | { readonly kind: 'too-large' };

/**
 * Reads a request body up to `limitBytes`. An oversized body is drained rather than cut off,
 * so the client still reads the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyReadResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limitBytes ? { kind: 'too-large' } : { kind: 'ok', body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}
