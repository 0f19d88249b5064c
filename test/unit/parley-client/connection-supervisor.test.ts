import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newStats } from '../../../clients/parley-client/src/client-types';
import type { StateChange } from '../../../clients/parley-client/src/connection-state';
import { ConnectionSupervisor, type SupervisorConfig } from '../../../clients/parley-client/src/connection-supervisor';
import { FakeSocket, FakeWebSocket } from './fake-socket';

/** The supervisor alone: hooks are recorded, nothing syncs or sends. */
function makeSupervisor(token: () => Promise<string> | string = async () => 'jwt', config: Partial<SupervisorConfig> = {}) {
  const states: StateChange[] = [];
  const data: unknown[] = [];
  const calls = { opened: 0, dropped: 0 };
  const listeners = new Map<string, () => void>();
  const document = {
    visibilityState: 'hidden',
    addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
    removeEventListener: (type: string) => listeners.delete(type),
  };
  const counters = newStats();
  const supervisor = new ConnectionSupervisor(
    { url: 'ws://parley.test/local', token, WebSocket: FakeWebSocket },
    {
      backoff: { baseMs: 500, capMs: 20_000 },
      heartbeatMs: 30_000,
      missedPongsBeforeDead: 3,
      plannedReconnectMs: 115 * 60_000,
      platform: { window: document, document },
      random: () => 0.5,
      now: () => 42,
      ...config,
    },
    counters,
    {
      stateChanged: (change) => states.push(change),
      opened: () => {
        calls.opened += 1;
      },
      data: (value) => data.push(value),
      dropped: () => {
        calls.dropped += 1;
      },
      log: () => undefined,
    },
  );
  const visible = () => {
    document.visibilityState = 'visible';
    listeners.get('visibilitychange')?.();
  };
  return { supervisor, states, data, calls, counters, listeners, visible };
}

/** Lets the token hook resolve and opens the socket it led to. */
async function open(): Promise<FakeSocket> {
  await vi.advanceTimersByTimeAsync(0);
  const socket = FakeSocket.latest();
  socket.open();
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionSupervisor', () => {
  it('opens with the token, hands frames on, and is ready only once told it caught up', async () => {
    const { supervisor, states, data, calls } = makeSupervisor();
    supervisor.start();
    supervisor.start(); // already on the way: no second socket
    const socket = await open();
    expect(FakeSocket.instances).toHaveLength(1);
    expect(socket.url).toBe('ws://parley.test/local?token=jwt');
    expect(calls.opened).toBe(1);
    expect(supervisor.state).toBe('syncing');
    expect(supervisor.isReady()).toBe(false);
    socket.receive({ type: 'pong' });
    expect(data).toEqual(['{"type":"pong"}']);
    expect(supervisor.caughtUp()).toBe(true);
    expect(supervisor.caughtUp()).toBe(false);
    expect(supervisor.isReady()).toBe(true);
    expect(states.map((s) => s.to)).toEqual(['connecting', 'syncing', 'ready']);
  });

  it('backs off with growing full-jitter delays, and starts over once caught up', async () => {
    const { supervisor, states, calls } = makeSupervisor();
    supervisor.start();
    (await open()).drop(1006);
    await vi.advanceTimersByTimeAsync(250);
    (await open()).drop(1006);
    await vi.advanceTimersByTimeAsync(500);
    const third = await open();
    expect(states.filter((s) => s.to === 'waiting').map((s) => s.retryInMs)).toEqual([250, 500]);
    expect(calls.dropped).toBe(2);
    supervisor.caughtUp();
    third.drop(1006);
    expect(states.at(-1)).toMatchObject({ to: 'waiting', retryInMs: 250, closeCode: 1006 });
  });

  it('retries when the token hook fails', async () => {
    const { supervisor, states } = makeSupervisor(async () => {
      throw new Error('no token');
    });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toMatchObject({ to: 'waiting', code: 'token-failed' });
    expect(states.at(-1)?.reason).toContain('no token');
    expect(FakeSocket.instances).toHaveLength(0);
  });

  it('ignores a socket it abandoned', async () => {
    const { supervisor, states, data } = makeSupervisor();
    supervisor.start();
    const socket = await open();
    supervisor.stop();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    socket.receive({ type: 'pong' });
    socket.drop();
    expect(data).toEqual([]);
    expect(states.at(-1)?.to).toBe('closed');
  });

  it('counts heartbeats until a pong, and replaces the connection after missedPongsBeforeDead', async () => {
    const { supervisor, states, counters } = makeSupervisor();
    supervisor.start();
    const socket = await open();
    supervisor.caughtUp();
    await vi.advanceTimersByTimeAsync(60_000);
    supervisor.pong();
    expect(supervisor.heartbeat(() => 7)).toBe(7);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket.actions('heartbeat')).toEqual([
      { action: 'heartbeat', ts: 42 },
      { action: 'heartbeat', ts: 42 },
      { action: 'heartbeat', ts: 7 },
      { action: 'heartbeat', ts: 42 },
      { action: 'heartbeat', ts: 42 },
    ]);
    expect(supervisor.heartbeat()).toBeUndefined(); // the fourth unanswered one is not written
    expect(counters.deadConnections).toBe(1);
    expect(states.at(-1)).toMatchObject({ to: 'waiting', code: 'dead-connection' });
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'no pong' });
  });

  it('follows the session’s heartbeat period', async () => {
    const { supervisor } = makeSupervisor();
    supervisor.start();
    const socket = await open();
    supervisor.setHeartbeatSeconds(10);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(socket.actions('heartbeat')).toHaveLength(3);
  });

  it('reconnects for a fresh token only while connected', async () => {
    const { supervisor, states } = makeSupervisor();
    supervisor.reconnectForToken();
    expect(states).toEqual([]);
    supervisor.start();
    const first = await open();
    supervisor.reconnectForToken();
    expect(first.closedWith).toEqual({ code: 1000, reason: 'token expired' });
    expect(states.at(-1)).toMatchObject({ from: 'syncing', to: 'connecting', code: 'token-failed' });
  });

  it('reconnects at once when the page becomes visible while waiting, and probes a ready connection', async () => {
    const { supervisor, states, visible } = makeSupervisor();
    supervisor.start();
    const first = await open();
    first.drop(1006);
    visible();
    expect(states.at(-1)).toMatchObject({ to: 'connecting', code: 'page-visible' });
    const second = await open();
    supervisor.caughtUp();
    visible();
    expect(second.actions('heartbeat')).toEqual([{ action: 'heartbeat', ts: 42 }]);
  });

  it('goes offline with the platform, and back when it returns; detach stops listening', async () => {
    const { supervisor, states, listeners } = makeSupervisor();
    listeners.get('offline')?.(); // idle: nothing to do
    expect(states).toEqual([]);
    supervisor.start();
    const socket = await open();
    listeners.get('offline')?.();
    expect(supervisor.state).toBe('offline');
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'offline' });
    listeners.get('online')?.();
    expect(states.at(-1)).toMatchObject({ from: 'offline', to: 'connecting', code: 'came-online' });
    supervisor.detach();
    expect(listeners.size).toBe(0);
  });
});
