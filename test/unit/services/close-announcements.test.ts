import { describe, expect, it } from 'vitest';
import { REANNOUNCE_WINDOW_SECONDS } from '../../../functions/domain/announcements';
import type { User } from '../../../functions/domain/identity';
import type { ServerFrame } from '../../../functions/protocol/server-frames';
import type { Ports } from '../../../functions/services/context';
import { close } from '../../../functions/services/conversations';
import { sendMessage } from '../../../functions/services/messaging';
import { handleTriggers } from '../../../functions/services/routing';
import { convertToTicket } from '../../../functions/services/tickets';
import { transfer } from '../../../functions/services/transfer';
import { FakeConversationStore } from '../routing/fake-store';

const START = Date.parse('2026-12-01T10:00:00.000Z');
const AGENT: User = { id: 'agent-1', role: 'agent', name: 'Agent 1', skills: ['billing'] };
const CUSTOMER: User = { id: 'guest:c1', role: 'customer', name: 'Customer', skills: [] };

/**
 * close and transfer over an in-memory store; pushes, claim releases and routing triggers go
 * into one journal, in the order they happened. Each user has one connection, named after it;
 * the caller's is `<user>:caller`.
 */
async function world(options: { assigned?: boolean } = {}) {
  const store = new FakeConversationStore(async () => undefined);
  const journal: string[] = [];
  let nowMs = START;
  let redisDown = false;
  let agentStatus: 'online' | 'offline' = 'online';
  const ports = {
    conversations: store,
    notes: { put: async () => undefined },
    connections: {
      listForUser: async (userId: string) => [
        { connectionId: userId, userId, role: 'agent', connectedAt: '', expiresAt: Number.MAX_SAFE_INTEGER },
        { connectionId: `${userId}:caller`, userId, role: 'agent', connectedAt: '', expiresAt: Number.MAX_SAFE_INTEGER },
      ],
      remove: async () => undefined,
    },
    notifier: {
      send: async (connectionId: string, frame: ServerFrame) => {
        journal.push(`${frame.type} -> ${connectionId}`);
        return 'sent' as const;
      },
    },
    presence: {
      get: async (agentId: string) => ({ id: agentId, name: agentId, status: agentStatus, skills: ['billing'], load: 0, capacity: 2 }),
      claimAgent: async () => true,
      release: async (agentId: string, claim: string) => {
        if (redisDown) throw new Error('Redis release failed');
        journal.push(`release ${agentId} ${claim}`);
        return true;
      },
      outlook: async () => {
        if (redisDown) throw new Error('Redis outlook failed');
        journal.push('outlook');
        return { agentsOnline: 1, agentsServing: 1, freeSlots: 1, averageHandleSeconds: undefined };
      },
    },
    events: { publish: async () => {} },
    routingQueue: {
      publish: async (trigger: { type: string; agentId?: string; conversationId?: string }) => {
        journal.push(`publish ${trigger.type} ${trigger.agentId ?? trigger.conversationId}`);
      },
      publishAll: async (triggers: Array<{ type: string; agentId?: string; conversationId?: string }>) => {
        for (const trigger of triggers) journal.push(`publish ${trigger.type} ${trigger.agentId ?? trigger.conversationId}`);
      },
    },
    skills: { has: async () => true },
    autoReplies: { get: async () => undefined },
    opaqueTokens: { generate: () => 'dG9rZW4' },
    tickets: {
      convert: async (conversationId: string, ticket: object, _profile: object, now: string) => {
        const current = store.items.get(conversationId)!;
        if (current.status !== 'queued') return undefined;
        const converted = { ...current, status: 'ticket' as const, ticket, updatedAt: now };
        store.items.set(conversationId, converted as typeof current);
        return converted;
      },
    },
    clock: { now: () => new Date(nowMs) },
    ids: { next: () => 'c1' },
    settings: { defaultSkill: 'general' },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { count: () => undefined, seconds: () => undefined },
  } as unknown as Ports;
  await store.openFor({
    id: 'c1',
    customer: { id: CUSTOMER.id, name: CUSTOMER.name },
    skill: 'billing',
    now: new Date(START).toISOString(),
  });
  if (options.assigned ?? true) await store.assign('c1', { id: AGENT.id, name: AGENT.name }, new Date(START).toISOString());
  return {
    store,
    journal,
    ports,
    later: (seconds: number) => {
      nowMs += seconds * 1000;
    },
    setRedisDown: (down: boolean) => {
      redisDown = down;
    },
    setAgentStatus: (status: 'online' | 'offline') => {
      agentStatus = status;
    },
  };
}

const closeAs = (ports: Ports, user: User) =>
  close(ports, { user, connectionId: `${user.id}:caller` }, { action: 'close', conversationId: 'c1' });

/** Where in the journal the first entry starting with `prefix` is (-1 when none). */
const at = (journal: readonly string[], prefix: string) => journal.findIndex((entry) => entry.startsWith(prefix));

describe('close announces before it frees capacity', () => {
  it('pushes closed to every connection, the caller first, then releases the claim and triggers routing', async () => {
    const { journal, ports } = await world();
    // The caller's answer went out first, so there is no route response to send.
    expect(await closeAs(ports, AGENT)).toBeUndefined();
    expect(journal[0]).toBe('closed -> agent-1:caller');
    expect(new Set(journal.slice(0, 4))).toEqual(
      new Set(['closed -> agent-1:caller', 'closed -> agent-1', 'closed -> guest:c1', 'closed -> guest:c1:caller']),
    );
    expect(journal.slice(4)).toEqual([expect.stringMatching(/^release agent-1 /), 'publish agent.available agent-1']);
  });

  it('a retry after the after-close steps failed announces again and re-runs them', async () => {
    const { journal, ports, store, later, setRedisDown } = await world();
    setRedisDown(true);
    await expect(closeAs(ports, CUSTOMER)).rejects.toThrow('Redis release failed');
    expect(store.items.get('c1')?.status).toBe('closed');
    expect(at(journal, 'release')).toBe(-1);
    expect(at(journal, 'publish')).toBe(-1);

    setRedisDown(false);
    later(20);
    journal.length = 0;
    await closeAs(ports, CUSTOMER);
    expect(journal).toContain('closed -> agent-1');
    expect(at(journal, 'closed -> agent-1')).toBeLessThan(at(journal, 'release agent-1'));
    expect(at(journal, 'release agent-1')).toBeLessThan(at(journal, 'publish agent.available agent-1'));
    // The frame of the retry is the stored close's (its time, its closer), not a new one.
    expect(store.items.get('c1')).toMatchObject({ closedAt: new Date(START).toISOString(), closedBy: { id: CUSTOMER.id } });
  });

  it(`a close more than ${REANNOUNCE_WINDOW_SECONDS} s after the conversation closed only answers the caller`, async () => {
    const { journal, ports, later } = await world();
    await closeAs(ports, AGENT);
    later(REANNOUNCE_WINDOW_SECONDS + 1);
    journal.length = 0;
    expect(await closeAs(ports, CUSTOMER)).toMatchObject({ type: 'closed', conversationId: 'c1', by: { id: AGENT.id } });
    expect(journal).toEqual([]);
  });
});

describe('transfer announces before it frees capacity', () => {
  it('pushes transferred to the previous agent (the caller first) before releasing its claim and triggering routing', async () => {
    const { journal, ports } = await world();
    expect(
      await transfer(
        ports,
        { user: AGENT, connectionId: `${AGENT.id}:caller` },
        { action: 'transfer', conversationId: 'c1', toSkill: 'billing' },
      ),
    ).toBeUndefined();
    expect(journal[0]).toBe('transferred -> agent-1:caller');
    const release = at(journal, 'release agent-1');
    expect(release).toBeGreaterThan(at(journal, 'transferred -> agent-1'));
    expect(release).toBeGreaterThan(at(journal, 'transferred -> guest:c1'));
    expect(at(journal, 'publish agent.available agent-1')).toBeGreaterThan(release);
  });
});

describe('a retried message is pushed again', () => {
  const send = (ports: Ports) =>
    sendMessage(
      ports,
      { user: AGENT, connectionId: `${AGENT.id}:caller` },
      { action: 'message', conversationId: 'c1', clientMsgId: 'm-1', text: 'Hello' },
    );

  it('while recent: the attempt that stored it may have failed before its push', async () => {
    const { journal, ports, later } = await world();
    await send(ports);
    expect(journal.filter((entry) => entry === 'message -> guest:c1')).toHaveLength(1);
    later(20);
    const [ack] = await send(ports);
    expect(ack).toMatchObject({ type: 'ack', seq: 1 });
    expect(journal.filter((entry) => entry === 'message -> guest:c1')).toHaveLength(2);
  });

  it(`not once it is older than ${REANNOUNCE_WINDOW_SECONDS} s`, async () => {
    const { journal, ports, later } = await world();
    await send(ports);
    later(REANNOUNCE_WINDOW_SECONDS + 1);
    await send(ports);
    expect(journal.filter((entry) => entry === 'message -> guest:c1')).toHaveLength(1);
  });
});

describe('a retried ticket conversion is announced', () => {
  it("tells the customer's other connections and the queue even when the first attempt failed after storing it", async () => {
    const { journal, ports, store, later, setRedisDown } = await world({ assigned: false });
    // Someone waits behind it: their position changes.
    await store.openFor({
      id: 'c2',
      customer: { id: 'guest:c2', name: 'Next' },
      skill: 'billing',
      now: new Date(START + 1000).toISOString(),
    });
    const convert = () =>
      convertToTicket(
        ports,
        { user: CUSTOMER, connectionId: `${CUSTOMER.id}:caller` },
        { action: 'ticket', conversationId: 'c1', email: 'ann@example.com' },
      );
    setRedisDown(true);
    await expect(convert()).rejects.toThrow('Redis outlook failed');
    expect(store.items.get('c1')?.status).toBe('ticket');

    setRedisDown(false);
    later(20);
    journal.length = 0;
    expect(await convert()).toMatchObject({ type: 'conversation', conversation: { status: 'ticket' } });
    expect(journal).toContain('conversation -> guest:c1');
    expect(journal).toContain('outlook');
    expect(journal).toContain('queued -> guest:c2');
  });
});

describe("a gone agent's chats are announced back in the queue before its claim is released", () => {
  it('the customer and the agent hear of it even when the release fails (a redelivery no longer finds the chat)', async () => {
    const { journal, ports, store, setRedisDown, setAgentStatus } = await world();
    setAgentStatus('offline');
    setRedisDown(true);
    const [outcome] = await handleTriggers(ports, [{ type: 'agent.lost', agentId: AGENT.id }]);
    expect(outcome).toHaveProperty('error');
    expect(store.items.get('c1')?.status).toBe('queued');
    expect(journal).toContain('message -> guest:c1');
    expect(journal).toContain('transferred -> agent-1');
  });
});
