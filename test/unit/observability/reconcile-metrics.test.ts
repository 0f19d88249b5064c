import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoStoreError } from '../../../functions/adapters/dynamodb/errors';
import { captureEmf } from '../../support/emf';

const report = { claimsAdded: 0, claimsRemoved: 0, agentsLost: [], agentsStranded: [] };
const reconcile = vi.fn(async () => report);
vi.mock('../../../functions/services/reconciliation', () => ({ reconcile: () => reconcile() }));
vi.mock('../../../functions/services/abandoned-chats', () => ({ sweepAbandonedChats: async () => ({ closed: 0 }) }));
vi.mock('../../../functions/services/bot-sweep', () => ({ closeIdleBotConversations: async () => ({ closed: 0 }) }));
vi.mock('../../../functions/services/ticket-offers', () => ({
  sweepTicketOffers: async () => ({ offered: { wait: 0, closed: 0, no_agent: 0 } }),
}));
vi.mock('../../../functions/services/availability-announcements', () => ({ sweepAvailability: async () => [] }));
vi.mock('../../../functions/wiring', () => ({ getPorts: () => ({}) }));

const { handler } = await import('../../../functions/handlers/scheduled/reconcile');
const { logger } = await import('../../../functions/shared/observability');

afterEach(() => {
  vi.restoreAllMocks();
});

const named = (metrics: ReturnType<ReturnType<typeof captureEmf>['metrics']>, name: string) =>
  metrics.filter((metric) => metric.name === name).map(({ unit, dimensions }) => ({ unit, dimensions }));

describe('reconcile metrics', () => {
  it('a completed run counts ReconcileRuns (Count, only service)', async () => {
    const emf = captureEmf();
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    try {
      await handler({});
      expect(named(emf.metrics(), 'ReconcileRuns')).toEqual([{ unit: 'Count', dimensions: { service: 'parley' } }]);
    } finally {
      emf.stop();
    }
  });

  it('a failed reconciliation: no ReconcileRuns, ServerFault by route reconcile and dependency, and the run still fails', async () => {
    const emf = captureEmf();
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    reconcile.mockRejectedValueOnce(new DynamoStoreError('DynamoDB Query failed'));
    try {
      await expect(handler({})).rejects.toBeInstanceOf(DynamoStoreError);
      const metrics = emf.metrics();
      expect(named(metrics, 'ReconcileRuns')).toEqual([]);
      expect(named(metrics, 'ServerFault')).toEqual([
        { unit: 'Count', dimensions: { service: 'parley' } },
        { unit: 'Count', dimensions: { service: 'parley', route: 'reconcile', dependency: 'dynamodb' } },
      ]);
    } finally {
      emf.stop();
    }
  });
});
