import type { Posting, PostingBound, PostingWrite, SearchIndex, SearchParticipants } from '../../functions/ports/search-index';

/** The search index in memory, with DynamoDB's semantics (sorted posting lists, sets), counting reads. */
export class MemorySearchIndex implements SearchIndex {
  readonly lists = new Map<string, Map<string, Posting>>();
  readonly people = new Map<string, { agents: Set<string>; backfilled: Set<string> }>();
  reads = 0;

  async postings(scope: string, term: string, bound: PostingBound | undefined, limit: number): Promise<Posting[]> {
    this.reads += 1;
    const list = [...(this.lists.get(`${scope}#${term}`)?.values() ?? [])].sort((a, b) => (a.sortKey < b.sortKey ? 1 : -1));
    return list.filter((p) => !bound || p.sortKey < bound.key || (bound.inclusive && p.sortKey === bound.key)).slice(0, limit);
  }

  async write(postings: readonly PostingWrite[]): Promise<void> {
    for (const { scope, term, ...posting } of postings) {
      const key = `${scope}#${term}`;
      const list = this.lists.get(key) ?? new Map<string, Posting>();
      list.set(posting.sortKey, posting);
      this.lists.set(key, list);
    }
  }

  private entry(conversationId: string) {
    const entry = this.people.get(conversationId) ?? { agents: new Set<string>(), backfilled: new Set<string>() };
    this.people.set(conversationId, entry);
    return entry;
  }

  async addParticipant(conversationId: string, agentId: string): Promise<SearchParticipants> {
    this.entry(conversationId).agents.add(agentId);
    return this.participants(conversationId);
  }

  async markBackfilled(conversationId: string, agentId: string): Promise<void> {
    this.entry(conversationId).backfilled.add(agentId);
  }

  async participants(conversationId: string): Promise<SearchParticipants> {
    const entry = this.people.get(conversationId);
    return { agents: [...(entry?.agents ?? [])].sort(), backfilled: [...(entry?.backfilled ?? [])].sort() };
  }
}
