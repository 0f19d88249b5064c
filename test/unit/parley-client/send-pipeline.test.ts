import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newStats, type SendFailure } from '../../../clients/parley-client/src/client-types';
import { Outbox, type OutboxEntry } from '../../../clients/parley-client/src/outbox';
import type { AckFrame, ClientFrame } from '../../../clients/parley-client/src/protocol';
import { SendPipeline, type SendPipelineConfig } from '../../../clients/parley-client/src/send-pipeline';
import { MemoryStore } from '../../../clients/parley-client/src/storage';

/** The pipeline against a hand-driven connection: no socket, no state machine. */
function makePipeline(config: Partial<SendPipelineConfig> = {}) {
  let ids = 0;
  let now = 1_000;
  const written: ClientFrame[] = [];
  const connection = {
    ready: true,
    replaced: false,
    reconnects: 0,
    isReady: () => connection.ready,
    write: (frame: ClientFrame) => written.push(frame),
    heartbeat: (ts: () => number) => {
      if (connection.replaced) return undefined;
      const value = ts();
      written.push({ action: 'heartbeat', ts: value });
      return value;
    },
    reconnectForToken: () => {
      connection.reconnects += 1;
    },
  };
  const acked: [OutboxEntry, AckFrame][] = [];
  const failed: SendFailure[] = [];
  const counters = newStats();
  const outbox = new Outbox(new MemoryStore(), 'outbox', () => undefined);
  const pipeline = new SendPipeline(
    outbox,
    {
      maxInFlight: 16,
      ackTimeoutMs: 15_000,
      maxInternalErrors: 5,
      backoff: { baseMs: 500, capMs: 20_000 },
      random: () => 0.5,
      now: () => now,
      newClientMsgId: () => `c${++ids}`,
      ...config,
    },
    counters,
    connection,
    { acknowledged: (entry, ack) => acked.push([entry, ack]), failed: (failure) => failed.push(failure) },
  );
  const messages = () => written.filter((frame) => frame.action === 'message' || frame.action === 'start');
  const ack = (clientMsgId: string, seq = 1): AckFrame => ({
    type: 'ack',
    clientMsgId,
    conversationId: 'conv',
    seq,
    messageId: `m${seq}`,
    ts: 't',
  });
  const tick = (ms: number) => {
    now += ms;
  };
  return { pipeline, connection, written, messages, acked, failed, counters, outbox, ack, tick };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SendPipeline', () => {
  it('keeps at most maxInFlight sends unanswered and writes the next on each ack', () => {
    const { pipeline, messages, ack, acked } = makePipeline({ maxInFlight: 2 });
    for (const n of [1, 2, 3]) pipeline.send('conv', `text ${n}`);
    expect(messages().map((frame) => frame.clientMsgId)).toEqual(['c1', 'c2']);
    pipeline.onAck(ack('c1'));
    expect(messages().map((frame) => frame.clientMsgId)).toEqual(['c1', 'c2', 'c3']);
    expect(acked.map(([entry]) => entry.text)).toEqual(['text 1']);
    expect(pipeline.pending().map((entry) => entry.clientMsgId)).toEqual(['c2', 'c3']);
  });

  it('holds sends while the connection is not ready and writes them, oldest first, on pump', () => {
    const { pipeline, connection, messages, counters } = makePipeline();
    connection.ready = false;
    pipeline.send('conv', 'first');
    pipeline.start({ text: 'second', skill: 'billing' });
    expect(messages()).toEqual([]);
    connection.ready = true;
    pipeline.pump();
    expect(messages()).toEqual([
      { action: 'message', clientMsgId: 'c1', text: 'first', conversationId: 'conv' },
      { action: 'start', clientMsgId: 'c2', text: 'second', skill: 'billing' },
    ]);
    expect(counters.resends).toBe(0);
  });

  it('after a reset (socket dropped) writes everything again with the same clientMsgId, counted as resends', () => {
    const { pipeline, messages, counters } = makePipeline();
    pipeline.send('conv', 'one');
    pipeline.send('conv', 'two');
    pipeline.reset();
    pipeline.pump();
    expect(messages().map((frame) => frame.clientMsgId)).toEqual(['c1', 'c2', 'c1', 'c2']);
    expect(counters.resends).toBe(2);
  });

  it('ignores a second ack for the same send', () => {
    const { pipeline, ack, acked } = makePipeline();
    const pending = pipeline.send('conv', 'once');
    pipeline.onAck(ack(pending.clientMsgId));
    pipeline.onAck(ack(pending.clientMsgId));
    expect(acked).toHaveLength(1);
  });

  it('fails a send after more than maxInternalErrors internal errors, retrying with backoff until then', async () => {
    const { pipeline, messages, failed } = makePipeline({ maxInternalErrors: 2 });
    const pending = pipeline.send('conv', 'unlucky');
    const internal = { type: 'error', code: 'internal', message: 'boom', clientMsgId: pending.clientMsgId } as const;
    expect(pipeline.onError(internal)).toBe(true);
    await vi.advanceTimersByTimeAsync(500); // attempt 1: half of min(20 s, 0.5 s * 2)
    expect(messages()).toHaveLength(2);
    pipeline.onError(internal);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(messages()).toHaveLength(3);
    pipeline.onError(internal);
    await expect(pending.promise).rejects.toMatchObject({ code: 'internal' });
    expect(failed.map((failure) => failure.clientMsgId)).toEqual([pending.clientMsgId]);
    expect(pipeline.pending()).toEqual([]);
  });

  it('waits retryAfterMs on rate_limited, and reconnects for a fresh token on unauthorized', async () => {
    const { pipeline, connection, messages } = makePipeline();
    const pending = pipeline.send('conv', 'slow down');
    pipeline.onError({ type: 'error', code: 'rate_limited', message: 'x', clientMsgId: pending.clientMsgId, retryAfterMs: 3_000 });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(messages()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(messages()).toHaveLength(2);
    pipeline.onError({ type: 'error', code: 'unauthorized', message: 'x', clientMsgId: pending.clientMsgId });
    expect(connection.reconnects).toBe(1);
    expect(pipeline.pending()).toHaveLength(1);
  });

  it('leaves errors that are not about a pending send to the caller', () => {
    const { pipeline } = makePipeline();
    expect(pipeline.onError({ type: 'error', code: 'forbidden', message: 'x', action: 'typing' })).toBe(false);
    expect(pipeline.onError({ type: 'error', code: 'conflict', message: 'x', clientMsgId: 'unknown' })).toBe(false);
  });

  it('probes once for all overdue sends and resends them only on a pong to the probe', async () => {
    const { pipeline, written, messages, counters, tick } = makePipeline();
    pipeline.send('conv', 'a');
    pipeline.send('conv', 'b');
    tick(15_000);
    await vi.advanceTimersByTimeAsync(15_000);
    const probes = written.filter((frame) => frame.action === 'heartbeat');
    expect(probes).toEqual([{ action: 'heartbeat', ts: 16_000 }]);
    expect(counters.probes).toBe(1);
    pipeline.onPong({ type: 'pong', ts: 15_999, serverTime: 't' }); // an older heartbeat's pong
    pipeline.onPong({ type: 'pong', serverTime: 't' }); // a pong without ts
    expect(messages()).toHaveLength(2);
    pipeline.onPong({ type: 'pong', ts: 16_000, serverTime: 't' });
    expect(messages().map((frame) => frame.clientMsgId)).toEqual(['c1', 'c2', 'c1', 'c2']);
    expect(counters.resends).toBe(2);
  });

  it('probes again while unanswered, with strictly increasing ts, and stops once the connection is replaced', async () => {
    const { pipeline, connection, written, counters } = makePipeline();
    pipeline.send('conv', 'a');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(written.filter((frame) => frame.action === 'heartbeat')).toEqual([
      { action: 'heartbeat', ts: 1_000 },
      { action: 'heartbeat', ts: 1_001 },
    ]);
    connection.replaced = true;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(counters.probes).toBe(2);
  });
});
