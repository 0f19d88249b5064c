import { describe, expect, it, vi } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import type { User } from '../../../functions/domain/identity';
import type { ServerFrame } from '../../../functions/protocol/server-frames';
import type { Ports } from '../../../functions/services/context';
import { transfer } from '../../../functions/services/transfer';
import { FakeConversationStore } from '../routing/fake-store';

const AT = '2026-12-01T10:00:00.000Z';
const AGENT: User = { id: 'agent-1', role: 'agent', name: 'Agent 1', skills: ['billing'] };
const OTHER_AGENT: User = { id: 'agent-2', role: 'agent', name: 'Agent 2', skills: ['billing'] };
const SUPERVISOR: User = { id: 'sup-1', role: 'supervisor', name: 'Sup', skills: [] };
const ADMIN: User = { id: 'admin-1', role: 'admin', name: 'Admin', skills: [] };
const CUSTOMER: User = { id: 'guest:c1', role: 'customer', name: 'Customer', skills: [] };

type State = 'queued' | 'assigned' | 'closed' | 'bot';

/**
 * transfer to a skill over an in-memory store, once as it runs (the one authorizing write
 * first) and once with that write always refused (the read-then-check path alone, as before):
 * both must answer the same and store the same.
 */
async function world(state: State, options: { readPath?: boolean } = {}) {
  const store = new FakeConversationStore(async () => undefined);
  if (options.readPath) store.transferToQueue = async () => undefined;
  const frames: Array<{ to: string; frame: ServerFrame }> = [];
  const ports = {
    conversations: store,
    notes: { put: async () => undefined },
    connections: {
      listForUser: async (userId: string) => [
        { connectionId: userId, userId, role: 'agent', connectedAt: '', expiresAt: Number.MAX_SAFE_INTEGER },
      ],
      remove: async () => undefined,
    },
    notifier: {
      send: async (connectionId: string, frame: ServerFrame) => {
        frames.push({ to: connectionId, frame });
        return 'sent' as const;
      },
    },
    presence: {
      release: async () => true,
      outlook: async () => ({ agentsOnline: 1, agentsServing: 1, freeSlots: 1, averageHandleSeconds: undefined }),
    },
    events: { publish: async () => {} },
    routingQueue: { publish: async () => {}, publishAll: async () => {} },
    skills: { has: async (skill: string) => skill === 'billing' },
    clock: { now: () => new Date(AT) },
    settings: { defaultSkill: 'general' },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { count: () => undefined, seconds: () => undefined },
  } as unknown as Ports;
  await store.openFor({ id: 'c1', customer: { id: CUSTOMER.id, name: CUSTOMER.name }, skill: 'general', now: AT });
  if (state === 'assigned' || state === 'closed') await store.assign('c1', { id: AGENT.id, name: AGENT.name }, AT);
  if (state === 'closed') await store.close('c1', { id: AGENT.id, role: 'agent' }, AT);
  if (state === 'bot') await store.queuedToBot('c1', AT, 0);
  const get = vi.spyOn(store, 'get');
  return { store, ports, frames, get };
}

async function outcome(state: State, user: User, frame: { toSkill?: string; conversationId?: string }, readPath: boolean) {
  const { store, ports, frames, get } = await world(state, { readPath });
  let error: unknown;
  const answer = await transfer(ports, { user }, { action: 'transfer', conversationId: 'c1', ...frame }).catch((caught: unknown) => {
    error = caught;
    return undefined;
  });
  return {
    answer,
    error: error && { name: (error as Error).constructor.name, message: (error as Error).message },
    stored: store.items.get('c1') as Conversation,
    frames,
    reads: get.mock.calls.length,
  };
}

describe('transfer to a skill in one authorizing write', () => {
  it.each([
    ['the assigned agent', 'assigned', AGENT, { toSkill: 'billing' }],
    ['the assigned agent, to the default skill', 'assigned', AGENT, {} as { toSkill?: string }],
    ['a supervisor, an assigned conversation', 'assigned', SUPERVISOR, { toSkill: 'billing' }],
    ['a supervisor, a queued conversation', 'queued', SUPERVISOR, { toSkill: 'billing' }],
  ] as const)('%s: moved with no read first, as the read path moves it', async (_name, state, user, frame) => {
    const direct = await outcome(state, user, frame, false);
    const read = await outcome(state, user, frame, true);
    expect(direct.error).toBeUndefined();
    expect(direct.reads).toBe(0);
    expect(read.reads).toBe(1);
    expect(direct.stored).toMatchObject({ status: 'queued', skill: frame.toSkill ?? 'general' });
    expect({ ...direct, reads: 0 }).toEqual({ ...read, reads: 0 });
  });

  it.each([
    ['another agent', 'assigned', OTHER_AGENT, { toSkill: 'billing' }, 'ForbiddenError'],
    ['an agent, a queued conversation', 'queued', AGENT, { toSkill: 'billing' }, 'ForbiddenError'],
    ['the customer', 'assigned', CUSTOMER, { toSkill: 'billing' }, 'ForbiddenError'],
    ['an admin', 'assigned', ADMIN, { toSkill: 'billing' }, 'ForbiddenError'],
    ['another agent, to an unconfigured skill', 'assigned', OTHER_AGENT, { toSkill: 'bilingg' }, 'ForbiddenError'],
    ['the assigned agent, to an unconfigured skill', 'assigned', AGENT, { toSkill: 'bilingg' }, 'BadRequestError'],
    ['the assigned agent, closed', 'closed', AGENT, { toSkill: 'billing' }, 'ConflictError'],
    ['a supervisor, closed', 'closed', SUPERVISOR, { toSkill: 'billing' }, 'ConflictError'],
    ['a supervisor, the bot answering', 'bot', SUPERVISOR, { toSkill: 'billing' }, 'ConflictError'],
    ['a supervisor, no such conversation', 'assigned', SUPERVISOR, { toSkill: 'billing', conversationId: 'nope' }, 'NotFoundError'],
  ] as const)('%s: refused as the read path refuses it, nothing stored', async (_name, state, user, frame, name) => {
    const { stored: before } = await outcome(state, SUPERVISOR, { conversationId: 'nope' }, true);
    const direct = await outcome(state, user, frame, false);
    const read = await outcome(state, user, frame, true);
    expect(direct.error).toMatchObject({ name });
    expect(direct).toEqual(read);
    expect(direct.stored).toEqual(before);
    expect(direct.frames).toEqual([]);
  });
});
