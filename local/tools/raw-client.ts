import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string };

/**
 * A bare protocol client for tests and benchmarks: records every frame and waits for the ones asked for.
 * (The product client library with reconnects and an outbox is separate; tests of raw
 * protocol behaviour want nothing in between.)
 */
/**
 * How long to wait for one frame by default: generous, since a busy 2-core CI box can take
 * seconds per hop; a passing wait returns as soon as the frame arrives.
 */
const FRAME_WAIT_MS = 10_000;

export class RawClient {
  readonly frames: Frame[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  closeCode: number | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static connect(wsUrl: string, token: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** Resolves with the HTTP status the upgrade was refused with (or 101 when it opened). */
  static upgradeStatus(url: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => {
        socket.close();
        resolve(101);
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('error', (error) => {
        if (!/Unexpected server response/.test(error.message)) reject(error);
      });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** The next frame (after those already taken) matching the predicate; earlier ones are skipped. */
  async next(predicate: (frame: Frame) => boolean = () => true, timeoutMs = FRAME_WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++]!;
        if (predicate(frame)) return frame;
      }
      if (this.closeCode !== undefined) throw new Error(`connection closed (${this.closeCode}) while waiting`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`timed out waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Any frame received so far or later (taken or not) matching the predicate: for frames whose order is not promised. */
  async waitFor(predicate: (frame: Frame) => boolean, timeoutMs = FRAME_WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`connection closed (${this.closeCode}) while waiting`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for a frame; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextOfType(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.type === type, timeoutMs);
  }

  /** Sends a frame and returns the first reply of one of the given types. */
  async request(frame: Record<string, unknown>, types: string[], timeoutMs?: number): Promise<Frame> {
    this.send(frame);
    return this.next((reply) => types.includes(reply.type), timeoutMs);
  }

  /** Every frame received so far of a type (whether taken or not). */
  all(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  waitForClose(timeoutMs = FRAME_WAIT_MS): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.closeCode !== undefined) return resolve(this.closeCode);
      const timer = setTimeout(() => reject(new Error('connection did not close')), timeoutMs);
      this.socket.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a raw test client reads any JSON body the API returns.
export async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

// biome-ignore lint/suspicious/noExplicitAny: a raw test client reads any JSON body the API returns.
export async function getJson(url: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.json() };
}

// biome-ignore lint/suspicious/noExplicitAny: a raw test client reads any JSON body the API returns.
export async function putJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

// biome-ignore lint/suspicious/noExplicitAny: a raw test client reads any JSON body the API returns.
export async function deleteJson(url: string, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'DELETE', headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.json() };
}
