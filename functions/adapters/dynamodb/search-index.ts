import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Posting, PostingBound, PostingWrite, SearchIndex, SearchParticipants } from '../../ports/search-index';
import { DynamoStoreError, dynamo } from './errors';
import { TTL_ATTRIBUTE } from './table-schema';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITE_MAX = 25;
const BATCH_WRITE_ATTEMPTS = 6;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Search postings in the single table (docs/search.md):
 *   SEARCH#<scope>#<term> / <at>#<conversationId>#<seq>   one hit (snippet, conversation, seq, at)
 *   SEARCHCONV#<id>       / PARTICIPANTS                  agents who took part (string sets)
 * Every write is a blind put of a deterministic item or an ADD to a set, so concurrent and
 * repeated writers converge without transactions.
 */
export const searchKeys = {
  postings: (scope: string, term: string) => `SEARCH#${scope}#${term}`,
  participants: (conversationId: string) => ({ pk: `SEARCHCONV#${conversationId}`, sk: 'PARTICIPANTS' }),
};

type Item = Record<string, unknown>;

const toParticipants = (item: Item | undefined): SearchParticipants => ({
  agents: [...((item?.agents as Set<string> | undefined) ?? [])].sort(),
  backfilled: [...((item?.backfilled as Set<string> | undefined) ?? [])].sort(),
  ...(typeof item?.[TTL_ATTRIBUTE] === 'number' ? { expiresAt: item[TTL_ATTRIBUTE] as number } : {}),
});

export class DynamoSearchIndex implements SearchIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async postings(scope: string, term: string, bound: PostingBound | undefined, limit: number): Promise<Posting[]> {
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: bound ? `pk = :pk AND sk ${bound.inclusive ? '<=' : '<'} :bound` : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': searchKeys.postings(scope, term), ...(bound ? { ':bound': bound.key } : {}) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => ({
      sortKey: item.sk as string,
      conversationId: item.conversationId as string,
      seq: item.seq as number,
      at: item.at as string,
      snippet: item.snippet as string,
    }));
  }

  async write(postings: readonly PostingWrite[]): Promise<void> {
    const requests = postings.map((posting) => ({
      PutRequest: {
        Item: {
          pk: searchKeys.postings(posting.scope, posting.term),
          sk: posting.sortKey,
          conversationId: posting.conversationId,
          seq: posting.seq,
          at: posting.at,
          snippet: posting.snippet,
          ...(posting.expiresAt === undefined ? {} : { [TTL_ATTRIBUTE]: posting.expiresAt }),
        },
      },
    }));
    for (let start = 0; start < requests.length; start += BATCH_WRITE_MAX) {
      let pending = requests.slice(start, start + BATCH_WRITE_MAX);
      // BatchWriteItem may leave part of the batch unprocessed (throttling): send the rest again, backing off.
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === BATCH_WRITE_ATTEMPTS) throw new DynamoStoreError('DynamoDB BatchWriteItem left postings unprocessed');
        if (attempt > 0) await pause(50 * 2 ** attempt);
        const result = await dynamo('BatchWriteItem', () =>
          this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })),
        );
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  async addParticipant(conversationId: string, agentId: string): Promise<SearchParticipants> {
    const result = await dynamo('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: searchKeys.participants(conversationId),
          UpdateExpression: 'ADD agents :agent',
          ExpressionAttributeValues: { ':agent': new Set([agentId]) },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toParticipants(result.Attributes);
  }

  async markBackfilled(conversationId: string, agentId: string): Promise<void> {
    await dynamo('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: searchKeys.participants(conversationId),
          UpdateExpression: 'ADD backfilled :agent',
          ExpressionAttributeValues: { ':agent': new Set([agentId]) },
        }),
      ),
    );
  }

  async participants(conversationId: string): Promise<SearchParticipants> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: searchKeys.participants(conversationId), ConsistentRead: true })),
    );
    return toParticipants(result.Item);
  }
}
