import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** An HTTP request handed to a server's request listener without a socket. */
export interface InProcessRequest {
  readonly method: string;
  /** Path and query, as `IncomingMessage.url` carries them. */
  readonly url: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Aborting it reports the client gone (`close` on the response before it finished). */
  readonly signal?: AbortSignal | undefined;
}

export interface InProcessResponse {
  readonly statusCode: number;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The client went away (aborted) or the server cut the connection unanswered. */
export class InProcessTransportError extends Error {
  constructor(
    message: string,
    readonly code: 'ECONNRESET' | 'ABORT_ERR',
  ) {
    super(message);
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'InProcessTransportError';
  }
}

type HeaderValue = string | number | readonly string[];

function headerText(value: HeaderValue): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The part of `ServerResponse` the local servers (and dynalite) use, collected in memory. */
class CollectedResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  private readonly headers = new Map<string, HeaderValue>();
  private readonly chunks: Buffer[] = [];

  constructor(
    private readonly done: (response: InProcessResponse) => void,
    private readonly cut: (error: InProcessTransportError) => void,
  ) {
    super();
  }

  setHeader(name: string, value: HeaderValue): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.headers.get(name.toLowerCase());
  }

  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.headers.delete(name.toLowerCase());
  }

  getHeaders(): Record<string, HeaderValue> {
    return Object.fromEntries(this.headers);
  }

  writeHead(statusCode: number, reasonOrHeaders?: string | Record<string, HeaderValue>, maybeHeaders?: Record<string, HeaderValue>): this {
    this.statusCode = statusCode;
    const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
    if (typeof reasonOrHeaders === 'string') this.statusMessage = reasonOrHeaders;
    for (const [name, value] of Object.entries(headers ?? {})) this.setHeader(name, value);
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {
    this.headersSent = true;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | (() => void), callback?: () => void): boolean {
    if (this.writableEnded || this.destroyed) return false;
    this.headersSent = true;
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (cb) queueMicrotask(cb);
    return true;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), callback?: () => void): this {
    if (this.writableEnded || this.destroyed) return this;
    if (typeof chunk === 'function') return this.end(undefined, undefined, chunk);
    if (chunk !== undefined && chunk !== null) this.write(chunk, typeof encoding === 'string' ? encoding : undefined);
    this.writableEnded = true;
    this.writableFinished = true;
    this.headersSent = true;
    const headers: Record<string, string> = {};
    for (const [name, value] of this.headers) headers[name] = headerText(value);
    this.done({ statusCode: this.statusCode, headers, body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks) });
    const cb = typeof encoding === 'function' ? encoding : callback;
    queueMicrotask(() => {
      this.emit('finish');
      this.emit('close');
      cb?.();
    });
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableEnded) this.cut(new InProcessTransportError('socket hang up', 'ECONNRESET'));
    queueMicrotask(() => this.emit('close'));
    return this;
  }

  /** The client went away before the answer: what a closed socket reports to the server. */
  clientGone(): void {
    if (this.writableEnded || this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

/**
 * Runs a Node HTTP server's request listener on one request held in memory and collects its
 * answer: the same server code as over a socket, without the socket, the HTTP parser or the
 * client's connection pool. The request is a real Readable (`data`/`end` events and async
 * iteration); `request.socket.destroy()` and `response.destroy()` cut it as a reset would.
 */
export function dispatchInProcess(listener: RequestListener, request: InProcessRequest): Promise<InProcessResponse> {
  return new Promise<InProcessResponse>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      request.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const response = new CollectedResponse(
      (answer) => settle(() => resolve(answer)),
      (error) => settle(() => reject(error)),
    );
    const body = request.body;
    let sent = false;
    const incoming = new Readable({
      read() {
        if (!sent && body.length > 0) this.push(body);
        sent = true;
        this.push(null);
      },
    });
    const socket = {
      remoteAddress: '127.0.0.1',
      remotePort: 0,
      encrypted: false,
      destroy: () => response.destroy(),
      setTimeout: () => socket,
      setNoDelay: () => socket,
      setKeepAlive: () => socket,
    };
    Object.assign(incoming, {
      method: request.method,
      url: request.url,
      headers: request.headers,
      rawHeaders: Object.entries(request.headers).flat(),
      httpVersion: '1.1',
      httpVersionMajor: 1,
      httpVersionMinor: 1,
      socket,
      connection: socket,
      complete: true,
    });
    const onAbort = () => {
      response.clientGone();
      incoming.destroy();
      settle(() => reject(new InProcessTransportError('The request was aborted', 'ABORT_ERR')));
    };
    if (request.signal?.aborted) {
      onAbort();
      return;
    }
    request.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      listener(incoming as unknown as IncomingMessage, response as unknown as ServerResponse);
    } catch (error) {
      settle(() => reject(error));
    }
  });
}
