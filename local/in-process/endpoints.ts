import type { RequestListener, Server } from 'node:http';

/**
 * The local endpoints this process serves itself, by origin (`http://127.0.0.1:4566`): a
 * client in the same process hands them its requests in memory (sdk-request-handler.ts,
 * fetch-interceptor.ts) instead of over a socket. The servers keep listening for everyone
 * else (scripts, other processes, browsers).
 */
export class InProcessEndpoints {
  private readonly listeners = new Map<string, RequestListener>();

  /** Serves `endpoint`'s origin in process with `server`'s request listeners. */
  register(endpoint: string, server: Server | RequestListener): void {
    const listener: RequestListener =
      typeof server === 'function' ? server : (request, response) => server.emit('request', request, response);
    this.listeners.set(new URL(endpoint).origin, listener);
  }

  unregister(endpoint: string): void {
    this.listeners.delete(new URL(endpoint).origin);
  }

  /** The listener serving this origin (`protocol//host[:port]`), if any. */
  listenerFor(origin: string): RequestListener | undefined {
    return this.listeners.get(origin);
  }

  get size(): number {
    return this.listeners.size;
  }
}
