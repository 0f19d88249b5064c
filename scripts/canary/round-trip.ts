/**
 * The Synthetics canary's check (lib/constructs/canary.ts), runnable anywhere: a canary agent
 * signs in and goes online, a guest customer starts a conversation on the canary skill (only
 * the canary agent has it), and a nonce makes the round trip customer → agent → customer. No
 * AWS imports: the integration test runs this very function against the local stack.
 */

/** What the check needs from a WebSocket: the browser API, which `ws` also implements. */
export interface CanarySocket {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface CanaryCredentials {
  readonly email: string;
  readonly password: string;
}

export interface RoundTripOptions {
  /** Base URL of the HTTP API (no trailing slash needed). */
  readonly httpUrl: string;
  /** wss:// URL of the WebSocket stage. */
  readonly wsUrl: string;
  readonly agent: CanaryCredentials;
  /** Configured, and served by the canary agent alone. */
  readonly skill: string;
  readonly openSocket: (url: string) => CanarySocket;
  /** Each step's limit; the whole check takes a few of them at most. */
  readonly stepTimeoutMs?: number;
  /** Makes the message unique to this run. */
  readonly nonce?: string;
}

export interface RoundTripResult {
  readonly conversationId: string;
  /** Milliseconds from the customer's message to the agent's echo reaching the customer. */
  readonly roundTripMs: number;
}

type Frame = Record<string, unknown> & { type: string };

/** A failed step, named so the canary's log says which hop broke. */
export class CanaryStepError extends Error {
  override readonly name = 'CanaryStepError';
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

const DEFAULT_STEP_TIMEOUT_MS = 15_000;

export async function runRoundTrip(options: RoundTripOptions): Promise<RoundTripResult> {
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const nonce = options.nonce ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const httpUrl = options.httpUrl.replace(/\/+$/, '');
  const sockets: FrameSocket[] = [];
  const open = async (step: string, token: string) => {
    const socket = await FrameSocket.open(step, options.openSocket(`${options.wsUrl}?token=${encodeURIComponent(token)}`), timeoutMs);
    sockets.push(socket);
    socket.send({ action: 'sync' });
    await socket.expect(step, (frame) => frame.type === 'session');
    return socket;
  };

  let refreshToken: string | undefined;
  let agent: FrameSocket | undefined;
  try {
    const login = await postJson('agent sign-in', `${httpUrl}/v1/auth/login`, options.agent, timeoutMs);
    refreshToken = typeof login.refreshToken === 'string' ? login.refreshToken : undefined;
    agent = await open('agent connect', tokenOf('agent sign-in', login));
    agent.send({ action: 'status', status: 'online' });
    await agent.expect('agent online', (frame) => frame.type === 'status' && frame.status === 'online');

    const guest = await postJson('customer token', `${httpUrl}/v1/auth/guest`, { name: 'Parley canary' }, timeoutMs);
    const customer = await open('customer connect', tokenOf('customer token', guest));

    const ping = `canary ping ${nonce}`;
    const started = Date.now();
    customer.send({ action: 'start', skill: options.skill, text: ping, clientMsgId: `canary-start-${nonce}` });
    const ack = await customer.expect('start', (frame) => frame.type === 'ack' && frame.clientMsgId === `canary-start-${nonce}`);
    const conversationId = String(ack.conversationId);
    const about = (type: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

    await agent.expect('assignment to the canary agent', about('assigned'));
    agent.send({ action: 'sync', cursors: { [conversationId]: 0 } });
    await agent.expect('customer message reaching the agent', (frame) => about('message')(frame) && frame.text === ping);

    const echo = `canary echo ${nonce}`;
    agent.send({ action: 'message', conversationId, clientMsgId: `canary-echo-${nonce}`, text: echo });
    await customer.expect('agent echo reaching the customer', (frame) => about('message')(frame) && frame.text === echo);
    const roundTripMs = Date.now() - started;

    agent.send({ action: 'close', conversationId });
    await customer.expect('close', about('closed'));
    return { conversationId, roundTripMs };
  } finally {
    // Leave nothing behind: the agent goes offline and its session ends, even after a failure.
    if (agent?.isOpen === true) {
      agent.send({ action: 'status', status: 'offline' });
      await agent.expect('agent offline', (frame) => frame.type === 'status' && frame.status === 'offline').catch(() => undefined);
    }
    if (refreshToken !== undefined)
      await postJson('sign-out', `${httpUrl}/v1/auth/logout`, { refreshToken }, timeoutMs).catch(() => undefined);
    for (const socket of sockets) socket.close();
  }
}

function tokenOf(step: string, body: Record<string, unknown>): string {
  if (typeof body.token !== 'string') throw new CanaryStepError(step, 'the answer holds no token');
  return body.token;
}

async function postJson(step: string, url: string, body: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new CanaryStepError(step, `request failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw new CanaryStepError(step, `HTTP ${response.status}: ${text.slice(0, 300)}`);
  return text.length === 0 ? {} : (JSON.parse(text) as Record<string, unknown>);
}

/** A socket whose frames are recorded and awaited; an `error` frame or a close fails the wait. */
class FrameSocket {
  private readonly frames: Frame[] = [];
  private closed = false;
  private wake: () => void = () => undefined;

  private constructor(
    private readonly socket: CanarySocket,
    private readonly timeoutMs: number,
  ) {
    socket.addEventListener('message', (event) => {
      this.frames.push(JSON.parse(String(event.data)) as Frame);
      this.wake();
    });
    socket.addEventListener('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(step: string, socket: CanarySocket, timeoutMs: number): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CanaryStepError(step, `no connection within ${timeoutMs} ms`)), timeoutMs);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(new FrameSocket(socket, timeoutMs));
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new CanaryStepError(step, 'the WebSocket upgrade failed'));
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  close(): void {
    this.socket.close();
  }

  /** The first frame received so far or within the step's time that matches. */
  async expect(step: string, predicate: (frame: Frame) => boolean): Promise<Frame> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found !== undefined) return found;
      const error = this.frames.find((frame) => frame.type === 'error');
      if (error !== undefined) throw new CanaryStepError(step, `error frame ${JSON.stringify(error)}`);
      if (this.closed) throw new CanaryStepError(step, 'the connection closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new CanaryStepError(step, `timed out; last frames ${JSON.stringify(this.frames.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
