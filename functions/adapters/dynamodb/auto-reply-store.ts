import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AutoReplies } from '../../domain/auto-replies';
import type { AutoReplyStore, StoredAutoReplies } from '../../ports/auto-reply-store';
import { dynamo } from './errors';
import { keys } from './keys';

/** `SKILL#<skill>` / `AUTOREPLIES`: the settings as one document, replaced whole on save. */
export class DynamoAutoReplyStore implements AutoReplyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(skill: string): Promise<StoredAutoReplies | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.skillAutoReplies(skill), ConsistentRead: true })),
    );
    const item = result.Item;
    if (!item) return undefined;
    return {
      skill,
      autoReplies: item.autoReplies as AutoReplies,
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    };
  }

  async put(stored: StoredAutoReplies): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.skillAutoReplies(stored.skill),
            kind: 'auto-replies',
            autoReplies: stored.autoReplies,
            updatedAt: stored.updatedAt,
            updatedBy: stored.updatedBy,
          },
        }),
      ),
    );
  }
}
