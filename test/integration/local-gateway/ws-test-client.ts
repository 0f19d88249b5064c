import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { WebSocket } from 'ws';
import { STEP_MS } from '../../support/budget';
import { waitFor } from '../../support/wait';

/** A ws client that buffers every frame so a test can await them one by one without races. */
export class TestClient {
  private readonly frames: string[] = [];
  private readonly waiters: ((frame: string) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = data.toString();
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }

  next(timeoutMs = STEP_MS): Promise<string> {
    const buffered = this.frames.shift();
    if (buffered !== undefined) return Promise.resolve(buffered);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  async nextJson(timeoutMs?: number): Promise<Record<string, unknown>> {
    return JSON.parse(await this.next(timeoutMs)) as Record<string, unknown>;
  }

  /** Frames received and not yet taken. */
  pending(): readonly string[] {
    return [...this.frames];
  }

  send(payload: string | Buffer | Record<string, unknown>): void {
    this.socket.send(typeof payload === 'object' && !Buffer.isBuffer(payload) ? JSON.stringify(payload) : payload);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000, 'bye');
    await this.closed;
  }
}

export function connect(url: string, token?: string): Promise<TestClient> {
  const target = token === undefined ? url : `${url}?token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target, { headers: { 'User-Agent': 'gateway-test/1.0' } });
    const client = new TestClient(socket);
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused with ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

/** Attempts a connection that should be refused; resolves with the HTTP status and body. */
export function refusal(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(target);
    socket.once('open', () => {
      socket.terminate();
      reject(new Error('connection unexpectedly opened'));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
        socket.terminate();
      });
    });
    socket.once('error', () => undefined);
  });
}

/** Tokens steer the fake authorizer: `allow:<user>`, `deny`, `unauthorized`, `boom`, `bad-context`. */
export async function fakeAuthorizer(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = event.queryStringParameters?.token ?? '';
  if (token === 'unauthorized') throw new Error('Unauthorized');
  if (token === 'boom') throw new Error('authorizer exploded');
  const effect = token.startsWith('allow:') || token === 'bad-context' ? 'Allow' : 'Deny';
  const userId = token.slice('allow:'.length);
  return {
    principalId: userId || 'nobody',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: event.methodArn }],
    },
    context:
      token === 'bad-context'
        ? ({ nested: { not: 'allowed' } } as unknown as Record<string, string>)
        : { userId, role: 'customer', score: 7, vip: true },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the predicate holds, failing after the timeout (one step on a loaded machine). */
export async function eventually(predicate: () => boolean, timeoutMs = STEP_MS): Promise<void> {
  await waitFor(predicate, { timeoutMs, intervalMs: 10 });
}
