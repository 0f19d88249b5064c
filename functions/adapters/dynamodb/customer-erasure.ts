import { BatchWriteCommand, DeleteCommand, type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ERASED } from '../../domain/customer-data';
import type { Conversation } from '../../domain/conversation';
import type { CustomerErasure, PostingKey } from '../../ports/customer-erasure';
import { conditionalWrite, DynamoStoreError, dynamo } from './errors';
import { ticketListKey } from './conversation-items';
import { keys } from './keys';
import { searchKeys } from './search-index';
import { TTL_ATTRIBUTE } from './table-schema';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_MAX = 25;
const BATCH_WRITE_ATTEMPTS = 6;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Key = { pk: string; sk: string };

/** Erasing a customer's items in the single table (ports/customer-erasure.ts): deletes and one tombstone update. */
export class DynamoCustomerErasure implements CustomerErasure {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every key of a partition (keys only), page by page. */
  private async keysOf(pk: string): Promise<Key[]> {
    const found: Key[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo('Query (erase)', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ProjectionExpression: 'pk, sk',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) found.push({ pk: String(item.pk), sk: String(item.sk) });
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  private async deleteKeys(all: readonly Key[]): Promise<void> {
    for (let start = 0; start < all.length; start += BATCH_WRITE_MAX) {
      let pending = all.slice(start, start + BATCH_WRITE_MAX).map((key) => ({ DeleteRequest: { Key: key } }));
      // BatchWriteItem may leave part of the batch unprocessed (throttling): send the rest again, backing off.
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === BATCH_WRITE_ATTEMPTS) throw new DynamoStoreError('DynamoDB BatchWriteItem left deletes unprocessed');
        if (attempt > 0) await pause(50 * 2 ** attempt);
        const result = await dynamo('BatchWriteItem (erase)', () =>
          this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })),
        );
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  async deleteConversationContents(conversationId: string): Promise<number> {
    const contents = (await this.keysOf(keys.conversationPartition(conversationId))).filter((key) => key.sk !== 'META');
    const notes = await this.keysOf(keys.notesPartition(conversationId));
    // Apart: each partition's deletes are granted on their own (functions/routes.ts).
    await this.deleteKeys(contents);
    await this.deleteKeys(notes);
    return contents.length + notes.length;
  }

  async tombstone(conversation: Conversation, now: string): Promise<void> {
    const ticket = conversation.status === 'ticket';
    await dynamo('UpdateItem (tombstone)', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.conversation(conversation.id),
          // The item must exist: an erase never creates a conversation.
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression:
            'SET customerId = :erased, customerName = :erased, erasedAt = :now' +
            // An erased ticket has no one to answer: solved, listed under its skill's solved tickets.
            (ticket
              ? ', ticketEmail = :erased, subject = :erased, replyToken = :erased, ticketState = :solved, statusKey = :solvedList'
              : '') +
            ' REMOVE customerEmail, customerKey, customerSort, visitor, customerAttrs, locale, ratingComment, lastInboundMessageId',
          ExpressionAttributeValues: {
            ':erased': ERASED,
            ':now': now,
            ...(ticket ? { ':solved': 'solved', ':solvedList': ticketListKey(conversation.skill, 'solved') } : {}),
          },
        }),
      ),
    );
  }

  async deleteCustomerItems(customerId: string): Promise<number> {
    const items = await this.keysOf(keys.userPartition(customerId));
    await this.deleteKeys(items);
    return items.length;
  }

  async deleteMailToken(token: string): Promise<void> {
    await this.delete({ pk: `MAILTOKEN#${token}`, sk: 'TICKET' });
  }

  async deleteEmailStatus(email: string): Promise<void> {
    await this.delete(keys.mailAddress(email));
    await this.delete(keys.mailSuppressionEntry(email));
  }

  async anonymizeRating(agentId: string, conversationId: string): Promise<void> {
    // Only a rating that exists: the reports keep one per rated conversation.
    await conditionalWrite('UpdateItem (rating erase)', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `RATINGS#${agentId}`, sk: `CONV#${conversationId}` },
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: 'SET customerId = :erased REMOVE #comment',
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: { ':erased': ERASED },
        }),
      ),
    );
  }

  async deleteSearchPostings(postings: readonly PostingKey[]): Promise<void> {
    const unique = new Map<string, Key>();
    for (const posting of postings) {
      const key = { pk: searchKeys.postings(posting.scope, posting.term), sk: posting.sortKey };
      unique.set(`${key.pk}\u0000${key.sk}`, key);
    }
    await this.deleteKeys([...unique.values()]);
  }

  async deleteSearchParticipants(conversationId: string): Promise<void> {
    await this.delete(searchKeys.participants(conversationId));
  }

  async expireConversation(conversationId: string, expiresAt: number): Promise<number> {
    const items = [
      ...(await this.keysOf(keys.conversationPartition(conversationId))),
      ...(await this.keysOf(keys.notesPartition(conversationId))),
      searchKeys.participants(conversationId),
    ];
    let expired = 0;
    for (const key of items) {
      // Only items that exist (an erase or an earlier expiry may have removed one meanwhile).
      const { conditionFailed } = await conditionalWrite('UpdateItem (retention)', () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            ConditionExpression: 'attribute_exists(pk)',
            UpdateExpression: 'SET #ttl = :at',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':at': expiresAt },
          }),
        ),
      );
      if (!conditionFailed) expired += 1;
    }
    return expired;
  }

  private async delete(key: Key): Promise<void> {
    await dynamo('DeleteItem (erase)', () => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key })));
  }
}
