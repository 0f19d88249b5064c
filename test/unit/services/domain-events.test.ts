import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import { publishEvents } from '../../../functions/services/domain-events';

const event: DomainEvent = {
  id: 'c1:started',
  type: 'conversation.started',
  at: '2026-03-01T10:00:00.000Z',
  conversationId: 'c1',
  skill: 'tech',
  customerId: 'guest:1',
  status: 'queued',
};

function ports(fail: boolean) {
  const counts: Array<[string, number | undefined]> = [];
  const errors: string[] = [];
  const published: DomainEvent[][] = [];
  return {
    counts,
    errors,
    published,
    events: {
      publish: async (events: readonly DomainEvent[]) => {
        if (fail) throw new Error('SQS down');
        published.push([...events]);
      },
    },
    log: { info: () => {}, warn: () => {}, error: (message: string) => void errors.push(message) },
    metrics: { count: (name: string, value?: number) => void counts.push([name, value]), seconds: () => {} },
  };
}

describe('publishing domain events', () => {
  it('publishes the events given, skipping absent ones, and nothing for none', async () => {
    const fake = ports(false);
    await publishEvents(fake as never, [event, undefined]);
    await publishEvents(fake as never, [undefined]);
    expect(fake.published).toEqual([[event]]);
  });

  it('never fails the caller: a failure is logged and counted', async () => {
    const fake = ports(true);
    await expect(publishEvents(fake as never, [event])).resolves.toBeUndefined();
    expect(fake.counts).toEqual([['EventsPublishFailed', 1]]);
    expect(fake.errors).toHaveLength(1);
  });
});
