import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HotStateError } from '../../../functions/adapters/upstash/agent-presence';
import { captureEmf } from '../../support/emf';

vi.mock('../../../functions/services/routing', () => ({
  // The first trigger fails on Redis, the second is handled.
  handleTriggers: async (_ports: unknown, triggers: unknown[]) =>
    triggers.map((trigger, index) => (index === 0 ? { trigger, error: new HotStateError('EVALSHA failed') } : { trigger })),
}));
vi.mock('../../../functions/wiring', () => ({ getWiring: () => ({ ports: {} }) }));

const { handler } = await import('../../../functions/handlers/queue/router');
const { logger } = await import('../../../functions/shared/observability');

const record = (messageId: string, body: unknown) => ({ messageId, body: JSON.stringify(body) }) as SQSEvent['Records'][number];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the router', () => {
  it('a failed trigger: retried by SQS, ServerFault by route `router` and dependency, logged with its correlation id', async () => {
    const emf = captureEmf();
    const errors: Array<Record<string, unknown>> = [];
    vi.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args[1] as Record<string, unknown>);
    });
    try {
      const result = await handler(
        {
          Records: [
            record('m1', { type: 'conversation.queued', conversationId: 'c1', correlationId: 'frame-1' }),
            record('m2', { type: 'agent.available', agentId: 'a1', correlationId: 'frame-2' }),
          ],
        },
        {} as Context,
      );
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
      const faults = emf
        .metrics()
        .filter((metric) => metric.name === 'ServerFault')
        .map((metric) => metric.dimensions);
      expect(faults).toEqual([{ service: 'parley' }, { service: 'parley', route: 'router', dependency: 'redis' }]);
      expect(errors).toEqual([expect.objectContaining({ correlationId: 'frame-1', route: 'router', dependency: 'redis' })]);
    } finally {
      emf.stop();
    }
  });
});
