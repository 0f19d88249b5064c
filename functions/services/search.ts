import type { Conversation, ConversationStatus } from '../domain/conversation';
import type { DomainEvent, MessageCreatedEvent } from '../domain/domain-events';
import { BadRequestError } from '../domain/errors';
import {
  ALL_SCOPE,
  agentScope,
  customerTerms,
  DEFAULT_SEARCH_PAGE,
  decodeCursor,
  encodeCursor,
  highlight,
  hitSortKey,
  MAX_SEARCH_PAGE,
  messageTerms,
  parseSearchQuery,
  type SearchPosition,
  type SearchQuery,
  type Snippet,
  scopesFor,
  searchScopeOf,
  snippetAround,
} from '../domain/search';
import type { ConversationStore } from '../ports/conversation-store';
import type { DomainEventSink } from '../ports/domain-events';
import type { Posting, PostingBound, PostingWrite, SearchIndex, SearchParticipants } from '../ports/search-index';
import type { Caller } from './context';

/**
 * Staff search (docs/search.md): posting lists intersected newest first, within the caller's
 * scope, then the page's conversations read in one batch for what the console shows.
 */

export interface SearchHit {
  readonly conversationId: string;
  /** The matching message's seq; 0 when the customer matched. */
  readonly seq: number;
  readonly at: string;
  readonly snippet: Snippet;
  readonly customer: { readonly id: string; readonly name: string };
  readonly skill: string;
  readonly status: ConversationStatus;
  readonly agent?: { readonly id: string; readonly name: string };
  /** The conversation's newest seq (the console reads its history up to it). */
  readonly lastSeq: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SearchPage {
  readonly results: SearchHit[];
  /** Present when there may be more: pass it back as `cursor`. */
  readonly cursor?: string;
}

export interface SearchRequest {
  readonly q?: string;
  readonly customer?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export interface SearchDeps {
  readonly search: SearchIndex;
  readonly conversations: Pick<ConversationStore, 'get' | 'getMany'>;
}

/** Reads of posting lists one search may make before it returns what it has (with a cursor). */
export const MAX_POSTING_READS = 40;
const MIN_POSTING_PAGE = 50;

/** A posting list read lazily, page by page, newest first; `seek` skips to a sort key. */
class PostingCursor {
  private buffer: Posting[] = [];
  private position = 0;
  private exhausted = false;

  constructor(
    private readonly index: SearchIndex,
    private readonly scope: string,
    private readonly term: string,
    private readonly pageSize: number,
    private readonly budget: { reads: number },
  ) {}

  /** The newest posting within `bound`, or undefined when the list has none; null when the read budget is spent. */
  async seek(bound: PostingBound | undefined): Promise<Posting | undefined | null> {
    while (this.position < this.buffer.length && !within(this.buffer[this.position]!.sortKey, bound)) this.position += 1;
    if (this.position < this.buffer.length) return this.buffer[this.position];
    if (this.exhausted) return undefined;
    if (this.budget.reads <= 0) return null;
    this.budget.reads -= 1;
    this.buffer = await this.index.postings(this.scope, this.term, bound, this.pageSize);
    this.position = 0;
    this.exhausted = this.buffer.length < this.pageSize;
    return this.buffer[0];
  }
}

const within = (key: string, bound: PostingBound | undefined): boolean =>
  bound === undefined || key < bound.key || (bound.inclusive && key === bound.key);

/**
 * Hits present in every list, newest first (a leapfrog join over sorted lists): the first
 * list proposes a candidate, each other list seeks to it; a list whose newest hit at or
 * before the candidate is older proposes that one instead. Stops after `limit` hits or when
 * the read budget is spent, returning where to go on.
 */
export async function intersectPostings(
  index: SearchIndex,
  scope: string,
  terms: readonly string[],
  from: SearchPosition | undefined,
  limit: number,
  accept: (posting: Posting) => boolean = () => true,
): Promise<{ hits: Posting[]; next?: SearchPosition }> {
  const budget = { reads: MAX_POSTING_READS };
  const pageSize = Math.max(MIN_POSTING_PAGE, limit + 1);
  const cursors = terms.map((term) => new PostingCursor(index, scope, term, pageSize, budget));
  const hits: Posting[] = [];
  let bound: PostingBound | undefined = from;
  for (;;) {
    const head = await cursors[0]!.seek(bound);
    if (head === null) return { hits, ...(bound ? { next: bound } : {}) };
    if (head === undefined) return { hits };
    let candidate = head.sortKey;
    let agreed = true;
    for (const cursor of cursors.slice(1)) {
      const other = await cursor.seek({ key: candidate, inclusive: true });
      if (other === null) return { hits, next: { key: candidate, inclusive: true } };
      if (other === undefined) return { hits };
      if (other.sortKey !== candidate) {
        candidate = other.sortKey;
        agreed = false;
        break;
      }
    }
    if (!agreed) {
      bound = { key: candidate, inclusive: true };
      continue;
    }
    bound = { key: candidate, inclusive: false };
    if (accept(head)) hits.push(head);
    if (hits.length === limit) return { hits, next: bound };
  }
}

/** `GET /v1/search`: conversations matching the query that the caller may see, newest first. */
export async function searchConversations(deps: SearchDeps, caller: Caller, request: SearchRequest): Promise<SearchPage> {
  const scope = searchScopeOf(caller.user);
  const limit = request.limit ?? DEFAULT_SEARCH_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_PAGE) throw new BadRequestError(`limit must be 1-${MAX_SEARCH_PAGE}`);
  const query = parseSearchQuery(request);
  const from = request.cursor ? decodeCursor(request.cursor) : undefined;
  if (query.kind === 'conversation') return findConversation(deps, caller, query.conversationId, scope, from);
  // One hit per conversation on a page (its newest match); a later page may show an older one.
  const seen = new Set<string>();
  const { hits, next } = await intersectPostings(deps.search, scope, query.terms, from, limit, (posting) => {
    if (seen.has(posting.conversationId)) return false;
    seen.add(posting.conversationId);
    return true;
  });
  const conversations = new Map((await deps.conversations.getMany(hits.map((hit) => hit.conversationId))).map((c) => [c.id, c]));
  const results = hits.flatMap((hit) => {
    const conversation = conversations.get(hit.conversationId);
    return conversation ? [toHit(conversation, hit, query)] : [];
  });
  return { results, ...(next ? { cursor: encodeCursor(next) } : {}) };
}

async function findConversation(
  deps: SearchDeps,
  caller: Caller,
  conversationId: string,
  scope: string,
  from: SearchPosition | undefined,
): Promise<SearchPage> {
  if (from) return { results: [] };
  const conversation = await deps.conversations.get(conversationId);
  if (!conversation) return { results: [] };
  if (scope !== ALL_SCOPE && conversation.agent?.id !== caller.user.id) {
    // Not theirs now: theirs if they took part earlier (as the index recorded it).
    const participants = await deps.search.participants(conversationId);
    if (!participants.agents.includes(caller.user.id)) return { results: [] };
  }
  const at = conversation.updatedAt;
  return { results: [toHit(conversation, { conversationId, seq: 0, at, snippet: conversation.customer.name, sortKey: '' }, undefined)] };
}

function toHit(conversation: Conversation, posting: Posting, query: SearchQuery | undefined): SearchHit {
  const words = query?.kind === 'terms' ? query.terms.map((term) => term.slice(2)) : [];
  const names = query?.kind === 'terms' && query.target === 'customers' && query.terms[0]?.startsWith('n:');
  return {
    conversationId: conversation.id,
    seq: posting.seq,
    at: posting.at,
    snippet: highlight(posting.snippet, words, names === true),
    customer: { id: conversation.customer.id, name: conversation.customer.name },
    skill: conversation.skill,
    status: conversation.status,
    ...(conversation.agent ? { agent: { id: conversation.agent.id, name: conversation.agent.name } } : {}),
    lastSeq: conversation.lastSeq,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
  };
}

/** Messages read per request when an agent's scope is backfilled with a conversation's history. */
const BACKFILL_PAGE = 200;

export interface SearchSinkDeps {
  readonly search: SearchIndex;
  readonly conversations: Pick<ConversationStore, 'get' | 'listMessages'>;
  /** Whether retention runs (RETENTION_DAYS): postings then carry their conversation's expiry once it has one. */
  readonly retention?: boolean;
}

/**
 * The `search` consumer of domain events: keeps the posting lists. A conversation's customer
 * is indexed when it starts (or becomes a ticket); each message when it is created; an agent
 * who joins (assigned, or writes) gets the conversation's earlier hits copied into its scope
 * before it is marked complete, so a redelivery after a crash finishes the copy. Every write
 * is idempotent (same keys, same content), so at-least-once delivery and concurrent consumers
 * converge.
 */
export class SearchSink implements DomainEventSink {
  readonly name = 'search';

  constructor(private readonly deps: SearchSinkDeps) {}

  async handle(event: DomainEvent): Promise<void> {
    switch (event.type) {
      case 'conversation.started':
      case 'ticket.created':
        return this.indexCustomer(event.conversationId);
      case 'conversation.assigned':
        await this.join(event.conversationId, event.agent.id);
        return;
      case 'message.created':
        return this.indexMessage(event);
      default:
        return;
    }
  }

  private async indexCustomer(conversationId: string): Promise<void> {
    const conversation = await this.deps.conversations.get(conversationId);
    if (!conversation) return; // erased, or never stored: nothing to find
    const participants = await this.deps.search.participants(conversationId);
    await this.write(conversationId, customerPostings(conversation, scopesFor(participants.agents)), participants);
  }

  /**
   * Writes a conversation's postings with its retention expiry when it has one (docs/data-rights.md).
   * Events come in any order: when retention set the expiry after `known` was read, the
   * postings are written again with it (retention sets it before rewriting the postings, so
   * one of the two writes carries it).
   */
  private async write(conversationId: string, postings: PostingWrite[], known: SearchParticipants): Promise<void> {
    if (postings.length === 0) return;
    const withExpiry = (expiresAt: number | undefined) =>
      expiresAt === undefined ? postings : postings.map((posting) => ({ ...posting, expiresAt }));
    await this.deps.search.write(withExpiry(known.expiresAt));
    if (known.expiresAt !== undefined || this.deps.retention !== true) return;
    const now = await this.deps.search.participants(conversationId);
    if (now.expiresAt !== undefined) await this.deps.search.write(withExpiry(now.expiresAt));
  }

  private async indexMessage(event: MessageCreatedEvent): Promise<void> {
    if (event.text.trim() === '') return;
    // An agent writing in takes part: its scope gets the history first (a staff member other than an agent sees all anyway).
    const participants =
      event.from.role === 'agent'
        ? await this.join(event.conversationId, event.from.id)
        : await this.deps.search.participants(event.conversationId);
    await this.write(
      event.conversationId,
      messagePostings(
        { conversationId: event.conversationId, seq: event.seq, at: event.at, text: event.text },
        scopesFor(participants.agents),
      ),
      participants,
    );
  }

  /** Adds the agent to the participants and, the first time, copies the conversation's hits into its scope. */
  private async join(conversationId: string, agentId: string): Promise<SearchParticipants> {
    // An agent already backfilled (every reply after its first) costs a read, not a write: the ADD would change nothing.
    const known = await this.deps.search.participants(conversationId);
    if (known.agents.includes(agentId) && known.backfilled.includes(agentId)) return known;
    const participants = await this.deps.search.addParticipant(conversationId, agentId);
    if (participants.backfilled.includes(agentId)) return participants;
    const scope = [agentScope(agentId)];
    const conversation = await this.deps.conversations.get(conversationId);
    // The customer's postings go with the first page's: one batch for a short conversation.
    let customer = conversation ? customerPostings(conversation, scope) : [];
    for (let after = 0; ; ) {
      const page = await this.deps.conversations.listMessages(conversationId, after, BACKFILL_PAGE);
      const postings = page.messages.flatMap((message) =>
        messagePostings({ conversationId, seq: message.seq, at: message.ts, text: message.text }, scope),
      );
      await this.write(conversationId, [...customer, ...postings], participants);
      customer = [];
      if (!page.more || page.messages.length === 0) break;
      after = page.messages[page.messages.length - 1]!.seq;
    }
    await this.deps.search.markBackfilled(conversationId, agentId);
    return participants;
  }
}

/** A message's postings: one per distinct word and scope, each with the text around that word. */
export function messagePostings(
  message: { readonly conversationId: string; readonly seq: number; readonly at: string; readonly text: string },
  scopes: readonly string[],
): PostingWrite[] {
  const sortKey = hitSortKey(message.at, message.conversationId, message.seq);
  return messageTerms(message.text).flatMap((term) => {
    const snippet = snippetAround(message.text, term.slice(2));
    return scopes.map((scope) => ({
      scope,
      term,
      sortKey,
      conversationId: message.conversationId,
      seq: message.seq,
      at: message.at,
      snippet,
    }));
  });
}

/** A conversation's customer postings (seq 0, at its creation): id, emails, name prefixes. */
export function customerPostings(conversation: Conversation, scopes: readonly string[]): PostingWrite[] {
  const emails = [conversation.customer.email, conversation.ticket?.email].filter((email): email is string => email !== undefined);
  const terms = customerTerms({ id: conversation.customer.id, name: conversation.customer.name, emails });
  const at = conversation.createdAt;
  const sortKey = hitSortKey(at, conversation.id, 0);
  return terms.flatMap((term) =>
    scopes.map((scope) => ({ scope, term, sortKey, conversationId: conversation.id, seq: 0, at, snippet: conversation.customer.name })),
  );
}
