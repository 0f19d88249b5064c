import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import { conversationAssigned, conversationClosed, conversationStarted, messageCreated } from '../../../functions/domain/event-facts';
import type { Message } from '../../../functions/domain/message';

const queued: Conversation = {
  id: 'c1',
  status: 'queued',
  customer: { id: 'guest:1', name: 'Ann' },
  skill: 'tech',
  lastSeq: 1,
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  queuedAt: '2026-03-01T10:00:05.000Z',
  epoch: 0,
};
const agent = { id: 'ag', name: 'Agent' };
const assigned: Conversation = {
  ...queued,
  status: 'assigned',
  agent,
  assignedAt: '2026-03-01T10:01:05.000Z',
  firstAssignedAt: '2026-03-01T10:01:05.000Z',
  epoch: 1,
};
const message = (seq: number, role: 'agent' | 'customer', ts: string): Message => ({
  conversationId: 'c1',
  seq,
  messageId: `m${seq}`,
  sender: role === 'agent' ? { ...agent, role } : { id: 'guest:1', name: 'Ann', role },
  text: 'hi',
  ts,
});

describe('domain events built from stored changes', () => {
  it('derive their ids from the change, so a retry publishes the same id', () => {
    expect(conversationStarted(queued).id).toBe('c1:started');
    expect(conversationAssigned(queued, assigned)?.id).toBe('c1:assigned:1');
    expect(messageCreated(assigned, message(2, 'agent', '2026-03-01T10:01:10.000Z')).id).toBe('c1:message:2');
    expect(conversationClosed({ ...assigned, status: 'closed', closedAt: '2026-03-01T10:05:05.000Z' }).id).toBe('c1:closed');
  });

  it('time the wait from entering the queue, and mark the first assignment', () => {
    expect(conversationAssigned(queued, assigned)).toMatchObject({ waitMs: 60_000, first: true, agent });
    // A transfer between agents: no wait, not first, from whom.
    const other = { id: 'ag2', name: 'Other' };
    const moved = { ...assigned, agent: other, assignedAt: '2026-03-01T10:03:00.000Z', epoch: 2 };
    expect(conversationAssigned(assigned, moved)).toMatchObject({ waitMs: 0, first: false, transferredFrom: agent, id: 'c1:assigned:2' });
  });

  it('give the first staff message its response time from the first assignment, and only it', () => {
    expect(messageCreated(assigned, message(2, 'agent', '2026-03-01T10:01:15.000Z'))).toMatchObject({ firstResponseMs: 10_000, agent });
    const answered = { ...assigned, lastAgentSeq: 2 };
    expect(messageCreated(answered, message(3, 'agent', '2026-03-01T10:02:00.000Z')).firstResponseMs).toBeUndefined();
    expect(messageCreated(assigned, message(3, 'customer', '2026-03-01T10:02:00.000Z')).firstResponseMs).toBeUndefined();
  });

  it('say why it closed: abandoned by the system, or in the queue without an agent', () => {
    const closedInQueue = conversationClosed({
      ...queued,
      status: 'closed',
      closedAt: '2026-03-01T10:02:00.000Z',
      closedBy: { id: 'guest:1', role: 'customer' },
    });
    expect(closedInQueue).toMatchObject({ reason: 'queue', closedBy: 'customer', messages: 1 });
    expect(closedInQueue.handleMs).toBeUndefined();
    const abandoned = conversationClosed({ ...assigned, status: 'closed', closeReason: 'abandoned', closedAt: '2026-03-01T10:31:05.000Z' });
    expect(abandoned).toMatchObject({ reason: 'abandoned', closedBy: 'system', handleMs: 1_800_000, agent });
    const byAgent = conversationClosed({
      ...assigned,
      status: 'closed',
      closedAt: '2026-03-01T10:06:05.000Z',
      closedBy: { id: 'ag', role: 'agent' },
    });
    expect(byAgent.reason).toBeUndefined();
    expect(byAgent.closedBy).toBe('agent');
  });
});
