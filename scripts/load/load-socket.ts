import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string };

/** Frames kept for waits that start after their frame arrived (an `assigned` before its wait). */
const RECENT_FRAMES = 100;

/**
 * A lean protocol socket for the load driver: every frame goes to one listener (the driver's
 * accounting), and setup steps wait for a frame by predicate. Unlike the tests' RawClient it
 * keeps only the last few frames, so a long run does not grow its memory.
 */
export class LoadSocket {
  private readonly recent: Frame[] = [];
  private readonly waiters = new Set<{
    match: (frame: Frame) => boolean;
    resolve: (frame: Frame) => void;
    reject: (error: Error) => void;
  }>();
  private listener: ((frame: Frame, socket: LoadSocket) => void) | undefined;
  closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString()) as Frame;
      } catch {
        frame = { type: 'error', code: 'not_json' };
      }
      this.recent.push(frame);
      if (this.recent.length > RECENT_FRAMES) this.recent.shift();
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters.delete(waiter);
          waiter.resolve(frame);
        }
      }
      this.listener?.(frame, this);
    });
    socket.on('close', (code) => {
      this.closed = true;
      for (const waiter of this.waiters) waiter.reject(new Error(`connection closed (${code})`));
      this.waiters.clear();
    });
    socket.on('error', () => undefined);
  }

  static connect(url: string, timeoutMs: number): Promise<LoadSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
      socket.once('open', () => resolve(new LoadSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`WebSocket upgrade refused: HTTP ${response.statusCode}`));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  onFrame(listener: (frame: Frame, socket: LoadSocket) => void): void {
    this.listener = listener;
  }

  send(frame: Record<string, unknown>): void {
    if (!this.closed) this.socket.send(JSON.stringify(frame));
  }

  /** A frame matching the predicate: one already among the recent ones, or the next to arrive. */
  waitFor(match: (frame: Frame) => boolean, timeoutMs: number, what: string): Promise<Frame> {
    const found = this.recent.find(match);
    if (found) return Promise.resolve(found);
    return this.expect(match, timeoutMs, what);
  }

  /** Sends a frame and waits for the first later frame matching the predicate. */
  request(frame: Record<string, unknown>, match: (frame: Frame) => boolean, timeoutMs: number, what: string): Promise<Frame> {
    const reply = this.expect(match, timeoutMs, what);
    this.send(frame);
    return reply;
  }

  private expect(match: (frame: Frame) => boolean, timeoutMs: number, what: string): Promise<Frame> {
    if (this.closed) return Promise.reject(new Error(`connection closed while waiting for ${what}`));
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(new Error(`${error.message} while waiting for ${what}`));
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last frames ${JSON.stringify(this.recent.slice(-3))}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
      setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 5_000).unref();
    });
  }
}
