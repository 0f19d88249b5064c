import { REPLY_MARKER } from '../../../functions/domain/mail';
import { describe, expect, it } from 'vitest';
import { type Conversation, toSummary } from '../../../functions/domain/conversation';
import type { User } from '../../../functions/domain/identity';
import type { Message } from '../../../functions/domain/message';
import {
  assertAssignable,
  assertCanListTickets,
  assertConvertible,
  canSeeTicket,
  canWorkTicket,
  nextTicketState,
  offersDue,
  replyMailText,
  replySubject,
  ticketAudience,
  ticketSubject,
  toTicketSummary,
  TICKET_STATES,
  type TicketInfo,
} from '../../../functions/domain/ticket';

const customer: User = { id: 'guest:1', role: 'customer', name: 'Ann', skills: [] };
const otherCustomer: User = { id: 'guest:2', role: 'customer', name: 'Bo', skills: [] };
const billingAgent: User = { id: 'agent-b', role: 'agent', name: 'Cy', skills: ['billing'] };
const techAgent: User = { id: 'agent-t', role: 'agent', name: 'Di', skills: ['tech'] };
const supervisor: User = { id: 'sup', role: 'supervisor', name: 'Ed', skills: [] };
const admin: User = { id: 'admin', role: 'admin', name: 'Flo', skills: [] };

const info: TicketInfo = {
  state: 'open',
  email: 'ann@example.com',
  subject: 'Refund',
  replyToken: 'a'.repeat(64),
  activityAt: '2026-11-30T10:00:00.000Z',
};
const ticket: Conversation = {
  id: '01JTICKET0000000000000ABCD',
  status: 'ticket',
  customer: { id: customer.id, name: 'Ann', email: 'ann@example.com' },
  skill: 'billing',
  lastSeq: 2,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T10:00:00.000Z',
  ticket: info,
};
const queued: Conversation = {
  id: '01JQUEUED00000000000000000',
  status: 'queued',
  customer: { id: customer.id, name: 'Ann' },
  skill: 'billing',
  lastSeq: 1,
  createdAt: '2026-11-30T09:00:00.000Z',
  updatedAt: '2026-11-30T09:00:00.000Z',
  queuedAt: '2026-11-30T09:00:00.000Z',
};

const message = (seq: number, text: string, name = 'Ann'): Message => ({
  conversationId: ticket.id,
  seq,
  messageId: `m${seq}`,
  sender: { id: name === 'Ann' ? customer.id : billingAgent.id, role: name === 'Ann' ? 'customer' : 'agent', name },
  text,
  ts: `2026-11-30T10:0${seq}:00.000Z`,
});

describe('ticket states', () => {
  it('open -> pending on an agent reply, back to open on a customer reply, any state set by staff', () => {
    expect(nextTicketState('open', { kind: 'agent-reply' })).toBe('pending');
    expect(nextTicketState('pending', { kind: 'customer-reply' })).toBe('open');
    expect(nextTicketState('solved', { kind: 'customer-reply' })).toBe('open');
    for (const from of TICKET_STATES) for (const to of TICKET_STATES) expect(nextTicketState(from, { kind: 'set', to })).toBe(to);
  });
});

describe('who may do what', () => {
  it.each([
    [customer, true, false],
    [otherCustomer, false, false],
    [billingAgent, true, true],
    [techAgent, false, false],
    [supervisor, true, true],
    [admin, true, true],
  ] as const)('%o sees: %s, works: %s', (user, sees, works) => {
    expect(canSeeTicket(user, ticket)).toBe(sees);
    expect(canWorkTicket(user, ticket)).toBe(works);
  });

  it('an agent of another skill may work a ticket assigned to them', () => {
    const assigned = { ...ticket, ticket: { ...info, assignee: { id: techAgent.id, name: 'Di' } } };
    expect(canWorkTicket(techAgent, assigned)).toBe(true);
    expect(ticketAudience(assigned)).toEqual([customer.id, techAgent.id]);
  });

  it('nobody sees a conversation that is not a ticket through the ticket rules', () => {
    expect(canSeeTicket(supervisor, queued)).toBe(false);
  });

  it('agents list the skills they serve; supervisors and admins any; customers none', () => {
    expect(() => assertCanListTickets(billingAgent, 'billing')).not.toThrow();
    expect(() => assertCanListTickets(billingAgent, 'tech')).toThrow(/do not serve/);
    expect(() => assertCanListTickets(supervisor, 'tech')).not.toThrow();
    expect(() => assertCanListTickets(customer, 'billing')).toThrow(/Only staff/);
  });

  it('assignees are active staff; agents must serve the skill', () => {
    expect(() => assertAssignable({ id: 'a', role: 'agent', skills: ['billing'] }, 'billing')).not.toThrow();
    expect(() => assertAssignable({ id: 'a', role: 'agent', skills: ['tech'] }, 'billing')).toThrow(/does not serve/);
    expect(() => assertAssignable({ id: 's', role: 'supervisor', skills: [] }, 'billing')).not.toThrow();
    expect(() => assertAssignable({ id: 'a', role: 'agent', skills: ['billing'], disabled: true }, 'billing')).toThrow(/no active/);
    expect(() => assertAssignable(undefined, 'billing')).toThrow(/no active/);
  });

  it('only waiting chats convert; a ticket converts to itself', () => {
    expect(assertConvertible(queued)).toBe(true);
    expect(assertConvertible({ ...queued, status: 'bot' })).toBe(true);
    expect(assertConvertible(ticket)).toBe(false);
    expect(() => assertConvertible({ ...queued, status: 'assigned' })).toThrow(/cannot become a ticket/);
    expect(() => assertConvertible({ ...queued, status: 'closed' })).toThrow(/cannot become a ticket/);
  });
});

describe('the mail', () => {
  it('subject: the first non-empty line, shortened; the reply subject carries the short id', () => {
    expect(ticketSubject('\n  My invoice is wrong \nsecond line')).toBe('My invoice is wrong');
    expect(ticketSubject('   ')).toBe('Your request');
    expect([...ticketSubject('x'.repeat(500))]).toHaveLength(120);
    expect(replySubject('Refund', ticket.id)).toBe('Re: Refund [#0000ABCD]');
  });

  it('the reply marker, the reply, then the thread newest first, quoted', () => {
    const reply = message(3, 'We refunded you.', 'Cy');
    const text = replyMailText(reply, [message(1, 'Refund please\nOrder 42'), message(2, 'Any news?'), reply]);
    expect(text.split('\n')).toEqual([
      REPLY_MARKER,
      '',
      'We refunded you.',
      '',
      'On 2026-11-30T10:02:00.000Z, Ann wrote:',
      '> Any news?',
      '',
      'On 2026-11-30T10:01:00.000Z, Ann wrote:',
      '> Refund please',
      '> Order 42',
    ]);
    expect(replyMailText(reply, [])).toBe(`${REPLY_MARKER}\n\nWe refunded you.`);
  });
});

describe('summaries and offers', () => {
  it('a ticket summary and the conversation summary carry the ticket', () => {
    expect(toSummary(ticket).ticket).toEqual({ state: 'open', email: 'ann@example.com' });
    expect(toTicketSummary(ticket as Conversation & { ticket: TicketInfo })).toEqual({
      id: ticket.id,
      skill: 'billing',
      state: 'open',
      customer: { id: customer.id, name: 'Ann', email: 'ann@example.com' },
      subject: 'Refund',
      lastSeq: 2,
      createdAt: ticket.createdAt,
      updatedAt: ticket.updatedAt,
    });
  });

  it('a wait offer once past the limit, a closed offer while the team is closed, each once', () => {
    const at = (iso: string) => new Date(iso);
    const situation = { now: at('2026-11-30T09:10:00.000Z'), waitLimitSeconds: 600, teamClosed: false };
    expect(offersDue(queued, situation)).toEqual([]);
    expect(offersDue(queued, { ...situation, now: at('2026-11-30T09:10:01.000Z') })).toEqual(['wait']);
    expect(offersDue(queued, { ...situation, teamClosed: true })).toEqual(['closed']);
    const offered = { ...queued, offers: { wait: '2026-11-30T09:10:01.000Z' } };
    expect(offersDue(offered, { ...situation, now: at('2026-11-30T10:00:00.000Z') })).toEqual([]);
    expect(toSummary(offered).offer).toBe('ticket');
    expect(toSummary(queued).offer).toBeUndefined();
    expect(offersDue({ ...queued, status: 'assigned' }, { ...situation, teamClosed: true })).toEqual([]);
  });
});
