import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import { type DeliveryAttempt, verifySignature, type WebhookEndpoint } from '../../../functions/domain/webhooks';
import type { PostOutcome, WebhookDelivery, WebhookStore } from '../../../functions/ports/webhooks';
import { deliverWebhook, webhookSink, type WebhookDeps } from '../../../functions/services/webhooks';

const NOW = new Date('2026-06-01T12:00:00Z');
const endpoint: WebhookEndpoint = {
  id: 'wh_aaaaaaaaaaaa',
  url: 'https://hooks.example.com/parley',
  events: ['message.created'],
  enabled: true,
  secret: 'whsec_one',
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
};
const event: DomainEvent = {
  type: 'message.created',
  id: 'evt_1',
  at: NOW.toISOString(),
  conversationId: 'c1',
  skill: 'general',
  customerId: 'guest:1',
  seq: 1,
  from: { id: 'guest:1', name: 'Visitor', role: 'customer' },
  text: 'hello',
};

function harness(outcomes: PostOutcome[], endpoints: WebhookEndpoint[] = [endpoint]) {
  const logged: DeliveryAttempt[] = [];
  const enqueued: Array<{ deliveries: readonly WebhookDelivery[]; delay: number }> = [];
  const posts: Array<{ url: string; body: string; headers: Readonly<Record<string, string>> }> = [];
  let lists = 0;
  const claimed = new Set<string>();
  const store = {
    list: async () => {
      lists++;
      return endpoints;
    },
    get: async (id: string) => endpoints.find((candidate) => candidate.id === id),
    recordAttempt: async (attempt: DeliveryAttempt) => {
      logged.push(attempt);
    },
    claimEvent: async (eventId: string) => {
      if (claimed.has(eventId)) return false;
      claimed.add(eventId);
      return true;
    },
    releaseEvent: async (eventId: string) => {
      claimed.delete(eventId);
    },
  } as unknown as WebhookStore;
  let id = 0;
  const deps: WebhookDeps = {
    store,
    queue: {
      enqueue: async (deliveries, delay = 0) => {
        enqueued.push({ deliveries, delay });
      },
    },
    transport: {
      post: async (url, body, headers) => {
        posts.push({ url, body, headers });
        return outcomes.shift() ?? { kind: 'response', status: 200, durationMs: 1 };
      },
    },
    clock: { now: () => NOW },
    ids: { next: () => `d${++id}` },
    urlPolicy: { allowLocalHttp: false, allowLoopback: false },
    retry: { maxAttempts: 3, baseDelaySeconds: 30 },
    logDays: 14,
    endpointCacheMs: 5000,
    random: () => 0.999_999,
  };
  return { deps, logged, enqueued, posts, lists: () => lists };
}

const first: WebhookDelivery = {
  deliveryId: 'd1',
  endpointId: endpoint.id,
  attempt: 1,
  payload: { id: 'evt_1', type: 'message.created', createdAt: NOW.toISOString(), data: event },
};

describe('the webhooks sink', () => {
  it('queues one delivery per enabled endpoint subscribed to the type, and calls no receiver', async () => {
    const other = { ...endpoint, id: 'wh_bbbbbbbbbbbb', events: ['conversation.closed' as const] };
    const off = { ...endpoint, id: 'wh_cccccccccccc', enabled: false };
    const second = { ...endpoint, id: 'wh_dddddddddddd' };
    const { deps, enqueued, posts } = harness([], [endpoint, other, off, second]);
    await webhookSink(deps).handle(event);
    expect(posts).toHaveLength(0);
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0]!.deliveries.map((delivery) => delivery.endpointId)).toEqual([endpoint.id, second.id]);
    expect(enqueued[0]!.deliveries.every((delivery) => delivery.attempt === 1 && delivery.payload.id === 'evt_1')).toBe(true);
    expect(JSON.stringify(enqueued)).not.toContain('whsec_');
  });

  it('queues an event seen again (at-least-once upstream) only once, and again after a failed queueing', async () => {
    const { deps, enqueued } = harness([]);
    const sink = webhookSink(deps);
    await sink.handle(event);
    await sink.handle(event);
    expect(enqueued).toHaveLength(1);
    let failures = 1;
    const flaky = webhookSink({
      ...deps,
      queue: {
        enqueue: async (deliveries) => {
          if (failures-- > 0) throw new Error('SQS down');
          enqueued.push({ deliveries, delay: 0 });
        },
      },
    });
    const second = { ...event, id: 'evt_2' };
    await expect(flaky.handle(second)).rejects.toThrow('SQS down');
    await flaky.handle(second);
    expect(enqueued.map((entry) => entry.deliveries[0]!.payload.id)).toEqual(['evt_1', 'evt_2']);
  });

  it('reads the endpoints once per cache period', async () => {
    const { deps, lists } = harness([]);
    const sink = webhookSink(deps);
    await sink.handle(event);
    await sink.handle({ ...event, id: 'evt_2' });
    expect(lists()).toBe(1);
  });
});

describe('one delivery attempt', () => {
  it('signs the exact body it posts, with the event id and attempt in headers, and logs it delivered', async () => {
    const { deps, posts, logged, enqueued } = harness([{ kind: 'response', status: 204, durationMs: 12 }]);
    expect(await deliverWebhook(deps, first)).toBe('delivered');
    const [post] = posts;
    expect(verifySignature('whsec_one', post!.headers['parley-signature']!, post!.body, NOW.getTime() / 1000)).toEqual({ valid: true });
    expect(post!.headers['parley-webhook-id']).toBe('evt_1');
    expect(post!.headers['parley-delivery-attempt']).toBe('1');
    expect(JSON.parse(post!.body)).toMatchObject({ id: 'evt_1', type: 'message.created', data: { text: 'hello' } });
    expect(logged).toEqual([expect.objectContaining({ attempt: 1, status: 204, durationMs: 12, outcome: 'delivered' })]);
    expect(enqueued).toHaveLength(0);
  });

  it('queues the next attempt after the backoff when the receiver fails, then gives up after the last', async () => {
    const { deps, logged, enqueued } = harness([
      { kind: 'response', status: 500, durationMs: 3 },
      { kind: 'error', error: 'timed out after 5000 ms', durationMs: 5000 },
      { kind: 'response', status: 503, durationMs: 3 },
    ]);
    expect(await deliverWebhook(deps, first)).toBe('retrying');
    expect(enqueued.at(-1)).toEqual({ deliveries: [{ ...first, attempt: 2 }], delay: 30 });
    expect(await deliverWebhook(deps, { ...first, attempt: 2 })).toBe('retrying');
    expect(enqueued.at(-1)).toEqual({ deliveries: [{ ...first, attempt: 3 }], delay: 60 });
    expect(await deliverWebhook(deps, { ...first, attempt: 3 })).toBe('failed');
    expect(enqueued).toHaveLength(2);
    expect(logged.map(({ attempt, outcome, status, error }) => ({ attempt, outcome, status, error }))).toEqual([
      { attempt: 1, outcome: 'retrying', status: 500, error: 'HTTP 500' },
      { attempt: 2, outcome: 'retrying', status: undefined, error: 'timed out after 5000 ms' },
      { attempt: 3, outcome: 'failed', status: 503, error: 'HTTP 503' },
    ]);
  });

  it('skips a deleted, disabled or unsubscribed endpoint without posting', async () => {
    const { deps, posts, logged } = harness([], [{ ...endpoint, enabled: false }]);
    expect(await deliverWebhook(deps, first)).toBe('skipped');
    expect(await deliverWebhook(deps, { ...first, endpointId: 'wh_gone0000000' })).toBe('skipped');
    expect(posts).toHaveLength(0);
    expect(logged).toHaveLength(0);
  });

  it('fails (for SQS to redeliver) when the next attempt cannot be queued, before logging it as retrying', async () => {
    const { deps, logged } = harness([{ kind: 'response', status: 500, durationMs: 3 }]);
    const failing: WebhookDeps = {
      ...deps,
      queue: {
        enqueue: async () => {
          throw new Error('SQS down');
        },
      },
    };
    await expect(deliverWebhook(failing, first)).rejects.toThrow('SQS down');
    expect(logged).toHaveLength(0);
  });
});
