import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import type { User } from '../../../functions/domain/identity';
import type { Message } from '../../../functions/domain/message';
import { intersectPostings, MAX_POSTING_READS, SearchSink, searchConversations } from '../../../functions/services/search';
import { MemorySearchIndex } from '../../support/memory-search-index';

const BASE = Date.parse('2026-11-30T10:00:00.000Z');
const at = (minute: number) => new Date(BASE + minute * 60_000).toISOString();

const user = (role: User['role'], id: string): User => ({ id, role, name: id, skills: ['billing'] });
const supervisor = { user: user('supervisor', 'sue') };
const kim = { user: user('agent', 'kim') };
const lee = { user: user('agent', 'lee') };

/** Conversations and messages as stored, with the event stream the sink would get. */
class World {
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message[]>();
  readonly index = new MemorySearchIndex();
  readonly sink = new SearchSink({
    search: this.index,
    conversations: {
      get: async (id) => this.conversations.get(id),
      listMessages: async (id, after, limit) => {
        const rest = (this.messages.get(id) ?? []).filter((m) => m.seq > after);
        return { messages: rest.slice(0, limit), more: rest.length > limit };
      },
    },
  });
  readonly deps = {
    search: this.index,
    conversations: {
      get: async (id: string) => this.conversations.get(id),
      getMany: async (ids: readonly string[]) => ids.flatMap((id) => this.conversations.get(id) ?? []),
    },
  };
  private events = 0;

  async start(id: string, minute: number, customer: { name: string; email?: string }) {
    this.conversations.set(id, {
      id,
      status: 'queued',
      customer: { id: `guest:${id}`, ...customer },
      skill: 'billing',
      lastSeq: 0,
      createdAt: at(minute),
      updatedAt: at(minute),
    });
    await this.emit({ type: 'conversation.started', conversationId: id, at: at(minute), status: 'queued' });
  }

  async assign(id: string, agentId: string, minute: number) {
    const conversation = this.conversations.get(id)!;
    this.conversations.set(id, { ...conversation, status: 'assigned', agent: { id: agentId, name: agentId } });
    await this.emit({
      type: 'conversation.assigned',
      conversationId: id,
      at: at(minute),
      agent: { id: agentId, name: agentId },
      waitMs: 0,
      first: true,
    });
  }

  /** Stores the message, then (like the events queue, later) hands its event to the sink unless `deliver` is false. */
  async say(id: string, from: { id: string; role: 'customer' | 'agent' }, text: string, minute: number, deliver = true) {
    const list = this.messages.get(id) ?? [];
    const seq = list.length + 1;
    list.push({ conversationId: id, seq, messageId: `m${seq}`, sender: { ...from, name: from.id }, text, ts: at(minute) });
    this.messages.set(id, list);
    const event = { type: 'message.created', conversationId: id, at: at(minute), seq, from: { ...from, name: from.id }, text } as const;
    if (deliver) await this.emit(event);
    return event;
  }

  async emit(event: Record<string, unknown>) {
    this.events += 1;
    const conversation = this.conversations.get(event.conversationId as string)!;
    await this.sink.handle({
      id: `e${this.events}`,
      skill: conversation.skill,
      customerId: conversation.customer.id,
      ...event,
    } as DomainEvent);
  }

  search(caller: { user: User }, request: { q?: string; customer?: string; cursor?: string; limit?: number }) {
    return searchConversations(this.deps, caller, request);
  }
}

async function twoConversations() {
  const world = new World();
  await world.start('C1', 0, { name: 'Ann Lee', email: 'ann@example.com' });
  await world.say('C1', { id: 'guest:C1', role: 'customer' }, 'Where is the refund for order 1234?', 1);
  await world.assign('C1', 'kim', 2);
  await world.say('C1', { id: 'kim', role: 'agent' }, 'Your refund was sent today', 3);
  await world.start('C2', 10, { name: 'Bob Ray' });
  await world.assign('C2', 'lee', 11);
  await world.say('C2', { id: 'guest:C2', role: 'customer' }, 'I want a refund for order 999', 12);
  return world;
}

const ids = (page: { results: Array<{ conversationId: string }> }) => page.results.map((hit) => hit.conversationId);

describe('search: role filter', () => {
  it('shows supervisors every conversation, agents only those they took part in', async () => {
    const world = await twoConversations();
    expect(ids(await world.search(supervisor, { q: 'refund' }))).toEqual(['C2', 'C1']);
    expect(ids(await world.search(kim, { q: 'refund' }))).toEqual(['C1']);
    expect(ids(await world.search(lee, { q: 'refund' }))).toEqual(['C2']);
  });

  it('finds by id only what the caller may see', async () => {
    const world = new World();
    const id = '01JABCDEFGHJKMNPQRSTVWXYZ0';
    await world.start(id, 0, { name: 'Ann' });
    await world.assign(id, 'kim', 1);
    expect(ids(await world.search(kim, { q: id }))).toEqual([id]);
    expect(ids(await world.search(lee, { q: id }))).toEqual([]);
    expect(ids(await world.search(supervisor, { q: id.toLowerCase() }))).toEqual([id]);
    // Transferred away: kim took part, so still finds it.
    await world.assign(id, 'lee', 2);
    expect(ids(await world.search(kim, { q: id }))).toEqual([id]);
  });

  it('gives an agent assigned later the messages written before it joined (backfill)', async () => {
    const world = await twoConversations();
    await world.assign('C2', 'kim', 13);
    expect(ids(await world.search(kim, { q: 'order 999' }))).toEqual(['C2']);
    expect(ids(await world.search(kim, { customer: 'bob' }))).toEqual(['C2']);
  });

  it("indexes an agent's later replies without adding it to the participants again (a read, not a write)", async () => {
    const world = await twoConversations();
    await world.assign('C2', 'kim', 13);
    let adds = 0;
    const addParticipant = world.index.addParticipant.bind(world.index);
    world.index.addParticipant = (conversationId: string, agentId: string) => {
      adds += 1;
      return addParticipant(conversationId, agentId);
    };
    await world.say('C2', { id: 'kim', role: 'agent' }, 'voucher xq7 issued', 14);
    await world.say('C2', { id: 'kim', role: 'agent' }, 'anything else', 15);
    expect(adds).toBe(0);
    expect(ids(await world.search(kim, { q: 'xq7' }))).toEqual(['C2']);
    // A new agent's first reply still joins it (and backfills its scope).
    await world.say('C2', { id: 'max', role: 'agent' }, 'taking over', 16);
    expect(adds).toBe(1);
    expect(ids(await world.search({ user: user('agent', 'max') }, { q: 'xq7' }))).toEqual(['C2']);
  });

  it('does not lose a message whose event is handled while the agent is being backfilled', async () => {
    const world = new World();
    await world.start('C3', 0, { name: 'Cy' });
    // Stored before the assignment is indexed, its event handled after: both paths cover it.
    const late = await world.say('C3', { id: 'guest:C3', role: 'customer' }, 'invoice missing', 1, false);
    await world.assign('C3', 'kim', 2);
    await world.emit(late);
    expect(ids(await world.search(kim, { q: 'invoice' }))).toEqual(['C3']);
  });

  it('refuses customers', async () => {
    const world = await twoConversations();
    await expect(world.search({ user: user('customer', 'guest:C1') }, { q: 'refund' })).rejects.toThrow(/Only staff/);
  });
});

describe('search: matching and ranking', () => {
  it('requires every word in one message, newest first, one hit per conversation on a page', async () => {
    const world = await twoConversations();
    expect(ids(await world.search(supervisor, { q: 'refund order' }))).toEqual(['C2', 'C1']);
    expect(ids(await world.search(supervisor, { q: 'refund 1234' }))).toEqual(['C1']);
    expect(ids(await world.search(supervisor, { q: 'refund today 999' }))).toEqual([]);
    const page = await world.search(supervisor, { q: 'refund' });
    // C1 matched twice (seq 1 and 3): its newest message is the hit.
    expect(page.results.map((hit) => [hit.conversationId, hit.seq])).toEqual([
      ['C2', 1],
      ['C1', 2],
    ]);
    expect(page.results[1]).toMatchObject({ customer: { id: 'guest:C1', name: 'Ann Lee' }, skill: 'billing', status: 'assigned' });
    expect(page.results[1]!.snippet).toEqual({ text: 'Your refund was sent today', highlights: [[5, 6]] });
  });

  it('finds customers by email, id and name prefix', async () => {
    const world = await twoConversations();
    expect(ids(await world.search(supervisor, { q: 'ANN@example.com' }))).toEqual(['C1']);
    expect(ids(await world.search(supervisor, { customer: 'guest:C2' }))).toEqual(['C2']);
    expect(ids(await world.search(supervisor, { customer: 'an le' }))).toEqual(['C1']);
    expect(ids(await world.search(supervisor, { customer: 'b' }))).toEqual(['C2']);
    expect((await world.search(supervisor, { customer: 'an' })).results[0]!.snippet).toEqual({ text: 'Ann Lee', highlights: [[0, 2]] });
  });

  it('pages newest first with a cursor, each hit once', async () => {
    const world = new World();
    for (let i = 0; i < 7; i += 1) {
      const id = `P${i}`;
      await world.start(id, i, { name: `N${i}` });
      await world.say(id, { id: `guest:${id}`, role: 'customer' }, `parcel ${i}`, i);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await world.search(supervisor, { q: 'parcel', limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(['P6', 'P5', 'P4', 'P3', 'P2', 'P1', 'P0']);
  });
});

describe('intersectPostings', () => {
  it('stops after its read budget with a cursor that goes on where it stopped', async () => {
    const index = new MemorySearchIndex();
    // "a" on even hits, "b" on odd ones, both on every 200th: the lists interleave and rarely meet.
    const postings = [];
    for (let i = 0; i < 6000; i += 1) {
      const sortKey = `${at(i)}#C#${String(i).padStart(12, '0')}`;
      const base = { sortKey, conversationId: `C${i}`, seq: 1, at: at(i), snippet: '', scope: 'all' };
      if (i % 2 === 0 || i % 200 === 1) postings.push({ ...base, term: 'a' });
      if (i % 2 === 1) postings.push({ ...base, term: 'b' });
    }
    await index.write(postings);
    const first = await intersectPostings(index, 'all', ['a', 'b'], undefined, 100);
    expect(index.reads).toBe(MAX_POSTING_READS);
    expect(first.next).toBeDefined();
    const found = [...first.hits];
    for (let next = first.next; next; ) {
      const page = await intersectPostings(index, 'all', ['a', 'b'], next, 100);
      found.push(...page.hits);
      next = page.next;
    }
    expect(found.map((hit) => hit.conversationId)).toEqual(Array.from({ length: 30 }, (_, k) => `C${5801 - k * 200}`));
  });
});
