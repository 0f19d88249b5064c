import { describe, expect, it } from 'vitest';
import {
  assertCanParticipate,
  assertCanRate,
  assertCanTransfer,
  assertOpen,
  canParticipate,
  canView,
  participantIds,
  toSummary,
  type Conversation,
} from '../../../functions/domain/conversation';
import type { User } from '../../../functions/domain/identity';

const customer: User = { id: 'guest:1', role: 'customer', name: 'Ann', skills: [] };
const otherCustomer: User = { id: 'guest:2', role: 'customer', name: 'Bo', skills: [] };
const agent: User = { id: 'agent-1', role: 'agent', name: 'Cy', skills: ['billing'] };
const otherAgent: User = { id: 'agent-2', role: 'agent', name: 'Di', skills: ['billing'] };
const supervisor: User = { id: 'sup-1', role: 'supervisor', name: 'Ed', skills: [] };
const admin: User = { id: 'admin-1', role: 'admin', name: 'Flo', skills: [] };

const base: Conversation = {
  id: '01J0000000000000000000000A',
  status: 'assigned',
  customer: { id: customer.id, name: 'Ann', email: 'ann@example.com' },
  agent: { id: agent.id, name: 'Cy' },
  skill: 'billing',
  lastSeq: 3,
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: '2026-11-27T08:05:00.000Z',
};

describe('conversation access rules', () => {
  it('lets the customer and the assigned agent in, and no other customer or agent', () => {
    expect(canView(customer, base)).toBe(true);
    expect(canView(agent, base)).toBe(true);
    expect(canView(otherCustomer, base)).toBe(false);
    expect(canView(otherAgent, base)).toBe(false);
  });

  it('lets supervisors see and write, admins only see', () => {
    expect(canView(supervisor, base)).toBe(true);
    expect(canParticipate(supervisor, base)).toBe(true);
    expect(canView(admin, base)).toBe(true);
    expect(canParticipate(admin, base)).toBe(false);
  });

  it('counts only the customer as a participant while queued', () => {
    const queued: Conversation = { ...base, status: 'queued', agent: undefined };
    expect(participantIds(queued)).toEqual([customer.id]);
    expect(participantIds(base)).toEqual([customer.id, agent.id]);
    expect(canView(agent, queued)).toBe(false);
  });

  it('tells an agent a conversation taken from it where it went (forbidden, nothing vague)', () => {
    const queued: Conversation = { ...base, status: 'queued', agent: undefined };
    expect(() => assertCanParticipate(agent, queued)).toThrowError(
      expect.objectContaining({ code: 'forbidden', message: expect.stringContaining('went back to the queue') }),
    );
    expect(() => assertCanParticipate(otherAgent, base)).toThrowError(
      expect.objectContaining({ code: 'forbidden', message: 'This conversation is now assigned to Cy' }),
    );
    expect(() => assertCanParticipate(otherCustomer, base)).toThrowError(
      expect.objectContaining({ code: 'forbidden', message: 'You are not a participant of this conversation' }),
    );
  });

  it('refuses writes to a closed conversation with conflict', () => {
    expect(() => assertOpen({ ...base, status: 'closed' })).toThrowError(expect.objectContaining({ code: 'conflict' }));
    expect(() => assertOpen(base)).not.toThrow();
  });

  it('allows transfer by the assigned agent or a supervisor only', () => {
    expect(() => assertCanTransfer(agent, base)).not.toThrow();
    expect(() => assertCanTransfer(supervisor, base)).not.toThrow();
    expect(() => assertCanTransfer(otherAgent, base)).toThrowError(expect.objectContaining({ code: 'forbidden' }));
    expect(() => assertCanTransfer(customer, base)).toThrowError(expect.objectContaining({ code: 'forbidden' }));
  });

  it('allows only the conversation customer to rate', () => {
    expect(() => assertCanRate(customer, base)).not.toThrow();
    expect(() => assertCanRate(otherCustomer, base)).toThrowError(expect.objectContaining({ code: 'forbidden' }));
    expect(() => assertCanRate(agent, base)).toThrowError(expect.objectContaining({ code: 'forbidden' }));
  });

  it('summarises without internal fields such as the customer email', () => {
    expect(toSummary(base)).toEqual({
      id: base.id,
      status: 'assigned',
      customer: { id: customer.id, name: 'Ann' },
      agent: { id: agent.id, name: 'Cy' },
      skill: 'billing',
      lastSeq: 3,
      createdAt: base.createdAt,
      updatedAt: base.updatedAt,
    });
  });
});
