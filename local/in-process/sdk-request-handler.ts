import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { HttpHandler } from '@smithy/core/protocols';
import { type HttpRequest, HttpResponse } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import { dispatchInProcess, InProcessTransportError } from './dispatch';
import type { InProcessEndpoints } from './endpoints';

function queryString(query: HttpRequest['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    const name = encodeURIComponent(key);
    if (value === null || value === undefined) parts.push(name);
    else for (const item of Array.isArray(value) ? value : [value]) parts.push(`${name}=${encodeURIComponent(item)}`);
  }
  return parts.join('&');
}

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined; // a stream: the network handler sends it
}

function asAbortSignal(signal: HttpHandlerOptions['abortSignal']): AbortSignal | undefined {
  return signal instanceof AbortSignal ? signal : undefined;
}

/**
 * An AWS SDK request handler (Smithy `HttpHandler`) for the local stack: a request to an
 * endpoint served in this process goes straight to that server's request listener, in
 * memory; any other (s3rver, an external DynamoDB Local, the fault proxy) goes over the
 * network as the SDK's default handler sends it. The SDK's serialisation, signing, retries
 * and middleware run unchanged: only the transport differs.
 */
export class InProcessRequestHandler implements HttpHandler<Record<string, never>> {
  // No socket cap: on AWS each concurrent invocation has a container and a client of its own,
  // while here every handler shares this one; the SDK's default 50 sockets would queue the rest
  // (behind the chaos run's fault proxy, past the function's timeout).
  private readonly network = new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY }),
  });

  constructor(private readonly endpoints: InProcessEndpoints) {}

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const origin = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
    const listener = this.endpoints.listenerFor(origin);
    const body = bodyBytes(request.body);
    if (!listener || !body) return this.network.handle(request, options);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    headers.host ??= request.port ? `${request.hostname}:${request.port}` : request.hostname;
    const query = queryString(request.query);
    try {
      const answer = await dispatchInProcess(listener, {
        method: request.method,
        url: `${request.path}${query ? `?${query}` : ''}`,
        headers,
        body,
        signal: asAbortSignal(options.abortSignal),
      });
      return { response: new HttpResponse({ statusCode: answer.statusCode, headers: answer.headers, body: new Uint8Array(answer.body) }) };
    } catch (error) {
      // As the Node handler reports a reset or an abort: the SDK's retry rules see the same.
      if (error instanceof InProcessTransportError) {
        throw Object.assign(new Error(error.message, { cause: error }), { name: error.name, code: error.code });
      }
      throw error;
    }
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Clients share this handler: destroying one client must not close it (the stack does, via close). */
  destroy(): void {}

  close(): void {
    this.network.destroy();
  }
}
