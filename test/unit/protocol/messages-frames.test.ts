import { describe, expect, it } from 'vitest';
import type { Message } from '../../../functions/domain/message';
import { messageFrame, messagesFrames } from '../../../functions/protocol/server-frames';

const message = (seq: number, text = `message ${seq}`): Message => ({
  conversationId: 'c1',
  seq,
  messageId: `m${seq}`,
  sender: { id: 'u1', role: 'customer', name: 'Ann' },
  text,
  ts: '2026-01-01T00:00:00.000Z',
});

const bytes = (frame: unknown) => Buffer.byteLength(JSON.stringify(frame));

describe('messagesFrames', () => {
  it('puts a backlog in one frame when it fits, each entry exactly its message frame without the type', () => {
    const backlog = [1, 2, 3].map((seq) => message(seq));
    const frames = messagesFrames('c1', backlog);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toEqual({
      type: 'messages',
      conversationId: 'c1',
      messages: backlog.map((one) => {
        const { type: _type, ...payload } = messageFrame(one) as { type: string };
        return payload;
      }),
    });
  });

  it('splits by serialized size, in order, never over the limit unless one message alone is', () => {
    const backlog = Array.from({ length: 40 }, (_, index) => message(index + 1, 'é'.repeat(300)));
    const frames = messagesFrames('c1', backlog, 4_000);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(bytes(frame)).toBeLessThanOrEqual(4_000);
    const seqs = frames.flatMap((frame) => (frame as { messages: Array<{ seq: number }> }).messages.map((one) => one.seq));
    expect(seqs).toEqual(backlog.map((one) => one.seq));
    const huge = messagesFrames('c1', [message(1), message(2, 'x'.repeat(5_000)), message(3)], 4_000);
    expect(huge.map((frame) => (frame as { messages: unknown[] }).messages.length)).toEqual([1, 1, 1]);
  });

  it('sends nothing for an empty page', () => {
    expect(messagesFrames('c1', [])).toEqual([]);
  });
});
