import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import { recordAssignment, recordFirstResponse } from '../../../functions/services/assignment-metrics';
import { serviceMetrics } from '../../../functions/shared/business-metrics';
import { captureEmf } from '../../support/emf';

const ports = { metrics: serviceMetrics };
const conversation = (fields: Partial<Conversation>): Conversation => ({
  id: 'c1',
  status: 'queued',
  customer: { id: 'guest:ann', name: 'Ann' },
  skill: 'billing',
  lastSeq: 0,
  createdAt: '2026-06-01T12:00:00.000Z',
  updatedAt: '2026-06-01T12:00:00.000Z',
  ...fields,
});

let emf: ReturnType<typeof captureEmf> | undefined;
afterEach(() => emf?.stop());

const seen = () => emf!.metrics().map(({ name, unit, dimensions, value }) => ({ name, unit, dimensions, value }));

describe('business metrics (EMF, only the service dimension)', () => {
  it('a first assignment: QueueWait from entering the queue and TimeToAssignment from the start, in seconds', () => {
    emf = captureEmf();
    const queued = conversation({ queuedAt: '2026-06-01T12:00:30.000Z' });
    const now = '2026-06-01T12:01:00.000Z';
    recordAssignment(ports, queued, { ...queued, status: 'assigned', firstAssignedAt: now }, now);
    expect(seen()).toEqual([
      { name: 'QueueWait', unit: 'Seconds', dimensions: { service: 'parley' }, value: 30 },
      { name: 'TimeToAssignment', unit: 'Seconds', dimensions: { service: 'parley' }, value: 60 },
    ]);
  });

  it('a later assignment (after a requeue) ends a queued period but not the time to assignment', () => {
    emf = captureEmf();
    const queued = conversation({ queuedAt: '2026-06-01T12:05:00.000Z' });
    const now = '2026-06-01T12:05:10.000Z';
    recordAssignment(ports, queued, { ...queued, status: 'assigned', firstAssignedAt: '2026-06-01T12:01:00.000Z' }, now);
    expect(seen()).toEqual([{ name: 'QueueWait', unit: 'Seconds', dimensions: { service: 'parley' }, value: 10 }]);
  });

  it('FirstResponse only for the first agent message of a conversation', () => {
    emf = captureEmf();
    recordFirstResponse(ports, conversation({ status: 'assigned' }), '2026-06-01T12:02:00.000Z');
    recordFirstResponse(ports, conversation({ status: 'assigned', lastAgentSeq: 3 }), '2026-06-01T12:03:00.000Z');
    expect(seen()).toEqual([{ name: 'FirstResponse', unit: 'Seconds', dimensions: { service: 'parley' }, value: 120 }]);
  });

  it('counts in Count', () => {
    emf = captureEmf();
    serviceMetrics.count('MessagesStored');
    serviceMetrics.count('ConversationsStarted');
    serviceMetrics.count('ConversationsAbandoned');
    expect(seen()).toEqual([
      { name: 'MessagesStored', unit: 'Count', dimensions: { service: 'parley' }, value: 1 },
      { name: 'ConversationsStarted', unit: 'Count', dimensions: { service: 'parley' }, value: 1 },
      { name: 'ConversationsAbandoned', unit: 'Count', dimensions: { service: 'parley' }, value: 1 },
    ]);
  });
});
