import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import type { DomainEvent } from '../../../functions/domain/domain-events';
import type { Message } from '../../../functions/domain/message';
import type { PostingWrite, SearchParticipants } from '../../../functions/ports/search-index';
import { RetentionSink } from '../../../functions/services/retention';
import { SearchSink } from '../../../functions/services/search';
import { MemorySearchIndex } from '../../support/memory-search-index';

/** The memory index, with the participants item's expiry (SEARCHCONV#…expiresAt) and every write's expiries kept. */
class ExpiringIndex extends MemorySearchIndex {
  readonly expiry = new Map<string, number>();
  readonly written: PostingWrite[] = [];
  /** Runs once, right after the next write: retention racing the search sink. */
  afterNextWrite?: () => Promise<void>;

  override async write(postings: readonly PostingWrite[]): Promise<void> {
    await super.write(postings);
    this.written.push(...postings);
    const hook = this.afterNextWrite;
    this.afterNextWrite = undefined;
    await hook?.();
  }

  override async participants(conversationId: string): Promise<SearchParticipants> {
    const expiresAt = this.expiry.get(conversationId);
    return { ...(await super.participants(conversationId)), ...(expiresAt === undefined ? {} : { expiresAt }) };
  }
}

const conversation: Conversation = {
  id: '01J00000000000000000000CNV',
  status: 'closed',
  customer: { id: 'guest:01J0000000000000000000000A', name: 'Rita' },
  agent: { id: 'agent-1', name: 'A' },
  skill: 'tech',
  lastSeq: 1,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:05:00.000Z',
  closedAt: '2026-12-01T10:05:00.000Z',
};
const message: Message = {
  conversationId: conversation.id,
  seq: 1,
  messageId: 'm1',
  sender: { id: conversation.customer.id, role: 'customer', name: 'Rita' } as Message['sender'],
  text: 'pangolin question',
  ts: '2026-12-01T10:01:00.000Z',
};
const conversations = {
  get: async () => conversation,
  listMessages: async () => ({ messages: [message], more: false }),
};
const messageEvent = {
  type: 'message.created',
  id: 'e1',
  at: message.ts,
  conversationId: conversation.id,
  skill: 'tech',
  customerId: conversation.customer.id,
  seq: 1,
  from: { id: conversation.customer.id, name: 'Rita', role: 'customer' },
  text: message.text,
} as DomainEvent;
const closedEvent = {
  type: 'conversation.closed',
  id: 'e2',
  at: conversation.closedAt,
  conversationId: conversation.id,
  skill: 'tech',
  customerId: conversation.customer.id,
  closedBy: 'customer',
  messages: 1,
} as DomainEvent;
const EXPIRES = Date.parse('2026-12-31T10:05:00.000Z') / 1000;

function retentionWith(index: ExpiringIndex, expired: string[]) {
  const erasure = {
    expireConversation: async (id: string, at: number) => {
      index.expiry.set(id, at);
      expired.push(id);
      return 1;
    },
  };
  return new RetentionSink({ conversations, search: index, erasure } as never, 30);
}

describe('retention and the search sink', () => {
  it("expires the conversation's items, then rewrites every posting with the expiry", async () => {
    const index = new ExpiringIndex();
    const expired: string[] = [];
    await retentionWith(index, expired).handle(closedEvent);
    expect(expired).toEqual([conversation.id]);
    expect(index.written.length).toBeGreaterThan(0);
    expect(index.written.every((posting) => posting.expiresAt === EXPIRES)).toBe(true);
    expect(index.written.map((posting) => posting.term)).toEqual(expect.arrayContaining(['w:pangolin', 'n:rita']));
    // Other events, or a conversation not closed, expire nothing.
    const untouched = new ExpiringIndex();
    await retentionWith(untouched, []).handle(messageEvent);
    expect(untouched.written).toEqual([]);
  });

  it('gives a message indexed after retention ran (events in any order) the same expiry', async () => {
    const index = new ExpiringIndex();
    index.expiry.set(conversation.id, EXPIRES);
    await new SearchSink({ search: index, conversations, retention: true }).handle(messageEvent);
    expect(index.written.length).toBeGreaterThan(0);
    expect(index.written.every((posting) => posting.expiresAt === EXPIRES)).toBe(true);
  });

  it('writes the postings again with the expiry when retention set it while they were written', async () => {
    const index = new ExpiringIndex();
    index.afterNextWrite = async () => void index.expiry.set(conversation.id, EXPIRES);
    await new SearchSink({ search: index, conversations, retention: true }).handle(messageEvent);
    const last = index.written.slice(index.written.length / 2);
    expect(index.written.slice(0, index.written.length / 2).every((posting) => posting.expiresAt === undefined)).toBe(true);
    expect(last.every((posting) => posting.expiresAt === EXPIRES)).toBe(true);
  });

  it('reads nothing more when retention is off', async () => {
    const index = new ExpiringIndex();
    index.afterNextWrite = async () => void index.expiry.set(conversation.id, EXPIRES);
    await new SearchSink({ search: index, conversations }).handle(messageEvent);
    expect(index.written.every((posting) => posting.expiresAt === undefined)).toBe(true);
  });
});
