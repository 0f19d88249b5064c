import { retentionExpiry, searchAgentsOf } from '../domain/customer-data';
import type { DomainEvent } from '../domain/domain-events';
import { scopesFor } from '../domain/search';
import type { DomainEventSink } from '../ports/domain-events';
import type { Ports } from './context';
import { allMessagesOf } from './customer-data';
import { customerPostings, messagePostings } from './search';

/**
 * Retention (docs/data-rights.md): with RETENTION_DAYS set, the `retention` events sink gives a
 * closed conversation an expiry (`expiresAt`, DynamoDB TTL) `retentionDays` after its close, on
 * everything stored for it: its item, messages, claims and read cursors, its notes, its search
 * participants item and its search postings (rewritten, recomputed with the search module's
 * own tokenizer, with the expiry). DynamoDB deletes them within about two days of the expiry;
 * its attachments go by the bucket's lifecycle rule of the same length. Idempotent: a
 * redelivered close sets the same expiry again.
 */
export class RetentionSink implements DomainEventSink {
  readonly name = 'retention';

  constructor(
    private readonly ports: Pick<Ports, 'conversations' | 'search' | 'erasure'>,
    private readonly days: number,
  ) {}

  async handle(event: DomainEvent): Promise<void> {
    if (event.type !== 'conversation.closed') return;
    const conversation = await this.ports.conversations.get(event.conversationId);
    // Erased, gone, or not closed after all (an event older than the item): nothing to expire.
    if (conversation?.status !== 'closed') return;
    const expiresAt = retentionExpiry(conversation.closedAt ?? event.at, this.days);
    // The items first, the search participants item among them: from then on the search sink
    // gives the conversation's postings this expiry itself (services/search.ts), so a message
    // indexed after this rewrite (events come in any order) expires too.
    await this.ports.erasure.expireConversation(conversation.id, expiresAt);
    const participants = await this.ports.search.participants(conversation.id);
    const scopes = scopesFor(searchAgentsOf(conversation, participants));
    const messages = await allMessagesOf(this.ports, conversation.id);
    await this.ports.search.write(
      [
        ...customerPostings(conversation, scopes),
        ...messages.flatMap((message) =>
          messagePostings({ conversationId: conversation.id, seq: message.seq, at: message.ts, text: message.text }, scopes),
        ),
      ].map((posting) => ({ ...posting, expiresAt })),
    );
  }
}
