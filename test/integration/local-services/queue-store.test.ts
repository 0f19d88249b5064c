import { describe, expect, it } from 'vitest';
import { QueueStore } from '../../../local/sqs/queue-store';

function storeWithClock(): { store: QueueStore; advance(ms: number): void } {
  let now = 1_700_000_000_000;
  const store = new QueueStore({ region: 'us-east-1', accountId: '000000000000', baseUrl: 'http://127.0.0.1:1', now: () => now });
  return { store, advance: (ms) => (now += ms) };
}

describe('QueueStore semantics (controlled clock)', () => {
  it('drops messages after the retention period', () => {
    const { store, advance } = storeWithClock();
    store.createQueue('retained', { MessageRetentionPeriod: '60' });
    store.sendMessage('retained', { body: 'old' });
    advance(59_999);
    expect(store.getQueueAttributes('retained', ['ApproximateNumberOfMessages'])).toEqual({ ApproximateNumberOfMessages: '1' });
    advance(1);
    expect(store.getQueueAttributes('retained', ['ApproximateNumberOfMessages'])).toEqual({ ApproximateNumberOfMessages: '0' });
    expect(store.receiveMessages('retained')).toEqual([]);
  });

  it('applies the queue DelaySeconds and per-message overrides', () => {
    const { store, advance } = storeWithClock();
    store.createQueue('delayed', { DelaySeconds: '10' });
    store.sendMessage('delayed', { body: 'queue-delay' });
    store.sendMessage('delayed', { body: 'no-delay', delaySeconds: 0 });
    expect(store.receiveMessages('delayed', { maxNumberOfMessages: 10 }).map((r) => r.message.body)).toEqual(['no-delay']);
    advance(10_000);
    expect(store.receiveMessages('delayed', { maxNumberOfMessages: 10 }).map((r) => r.message.body)).toEqual(['queue-delay']);
  });

  it('hides received messages for the visibility timeout and counts receives', () => {
    const { store, advance } = storeWithClock();
    store.createQueue('visible', { VisibilityTimeout: '30' });
    store.sendMessage('visible', { body: 'm' });
    const [first] = store.receiveMessages('visible');
    expect(first?.message.receiveCount).toBe(1);
    advance(29_999);
    expect(store.receiveMessages('visible')).toEqual([]);
    advance(1);
    const [second] = store.receiveMessages('visible');
    expect(second?.message.receiveCount).toBe(2);
    expect(second?.message.firstReceiveTimestamp).toBe(first?.message.firstReceiveTimestamp);
    // Extending visibility with the current handle keeps it hidden longer.
    store.changeMessageVisibility('visible', second?.receiptHandle ?? '', 100);
    advance(30_000);
    expect(store.receiveMessages('visible')).toEqual([]);
    advance(70_000);
    expect(store.receiveMessages('visible')).toHaveLength(1);
  });

  it('expires in-flight visibility on demand (tests after an injected outage), leaving delayed messages delayed', () => {
    const { store } = storeWithClock();
    store.createQueue('expire', { VisibilityTimeout: '180' });
    store.sendMessage('expire', { body: 'failed during the outage' });
    store.sendMessage('expire', { body: 'later', delaySeconds: 60 });
    expect(store.receiveMessages('expire')).toHaveLength(1);
    expect(store.receiveMessages('expire')).toEqual([]);
    expect(store.getQueue('expire').expireVisibility(1_700_000_000_000)).toBe(1);
    const [again] = store.receiveMessages('expire', { maxNumberOfMessages: 10 });
    expect(again?.message.body).toBe('failed during the outage');
    expect(again?.message.receiveCount).toBe(2);
    expect(store.getQueueAttributes('expire', ['ApproximateNumberOfMessagesDelayed'])).toEqual({ ApproximateNumberOfMessagesDelayed: '1' });
  });

  it('ends a long poll early when aborted, without taking messages', async () => {
    const { store } = storeWithClock();
    store.createQueue('aborted');
    const controller = new AbortController();
    const polling = store.waitForMessages('aborted', { waitTimeSeconds: 20, signal: controller.signal });
    controller.abort();
    await expect(polling).resolves.toEqual([]);
    store.sendMessage('aborted', { body: 'still here' });
    expect(store.getQueueAttributes('aborted', ['ApproximateNumberOfMessages'])).toEqual({ ApproximateNumberOfMessages: '1' });
  });

  it('rejects invalid queue names, FIFO queues, invalid characters and oversized messages', () => {
    const { store } = storeWithClock();
    expect(() => store.createQueue('bad name')).toThrow(expect.objectContaining({ type: 'InvalidParameterValue' }));
    expect(() => store.createQueue('orders.fifo')).toThrow(expect.objectContaining({ type: 'UnsupportedOperation' }));
    store.createQueue('small', { MaximumMessageSize: '1024' });
    expect(() => store.sendMessage('small', { body: 'x'.repeat(1025) })).toThrow(
      expect.objectContaining({ type: 'InvalidParameterValue' }),
    );
    expect(() => store.sendMessage('small', { body: 'bad\u0000char' })).toThrow(
      expect.objectContaining({ type: 'InvalidMessageContents' }),
    );
  });
});
