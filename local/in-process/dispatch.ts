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

  constructor(private readonly exchange: { answer(response: InProcessResponse): void; fail(error: unknown): void }) {
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
    this.exchange.answer({
      statusCode: this.statusCode,
      headers,
      body: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks),
    });
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
    if (!this.writableEnded) this.exchange.fail(new InProcessTransportError('socket hang up', 'ECONNRESET'));
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

/** The request's body as a real Readable: one chunk, then the end. */
class RequestBody extends Readable {
  private sent = false;

  constructor(private readonly body: Buffer) {
    super();
  }

  override _read(): void {
    if (!this.sent && this.body.length > 0) this.push(this.body);
    this.sent = true;
    this.push(null);
  }
}

/** The `request.socket` a listener sees: destroying it cuts the exchange as a reset would. */
class InMemorySocket {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly encrypted = false;

  constructor(private readonly response: CollectedResponse) {}

  destroy(): void {
    this.response.destroy();
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

/** One request in flight: settles its promise once, from the answer, a cut or the client's abort. */
class Exchange {
  private settled = false;
  readonly response: CollectedResponse;
  readonly incoming: RequestBody;

  constructor(
    private readonly request: InProcessRequest,
    private readonly resolve: (answer: InProcessResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.response = new CollectedResponse(this);
    this.incoming = new RequestBody(request.body);
    const socket = new InMemorySocket(this.response);
    Object.assign(this.incoming, {
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
  }

  /** `abort` listener: the client went away. */
  handleEvent(): void {
    this.response.clientGone();
    this.incoming.destroy();
    this.fail(new InProcessTransportError('The request was aborted', 'ABORT_ERR'));
  }

  answer(response: InProcessResponse): void {
    if (this.finish()) this.resolve(response);
  }

  fail(error: unknown): void {
    if (this.finish()) this.reject(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.request.signal?.removeEventListener('abort', this);
    return true;
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
    const exchange = new Exchange(request, resolve, reject);
    if (request.signal?.aborted) {
      exchange.handleEvent();
      return;
    }
    request.signal?.addEventListener('abort', exchange, { once: true });
    try {
      listener(exchange.incoming as unknown as IncomingMessage, exchange.response as unknown as ServerResponse);
    } catch (error) {
      exchange.fail(error);
    }
  });
}
