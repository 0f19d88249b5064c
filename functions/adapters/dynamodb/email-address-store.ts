import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EmailAddressState, EmailAddressStatus, SuppressedAddress, SuppressionPage } from '../../ports/email-addresses';
import { conditionalWrite, dynamo } from './errors';
import { keys } from './keys';

const encodeCursor = (email: string) => Buffer.from(email, 'utf8').toString('base64url');
const decodeCursor = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

function toAddress(item: Record<string, unknown>): SuppressedAddress {
  return {
    email: String(item.email),
    status: item.status === 'complained' ? 'complained' : 'bounced',
    reason: String(item.reason ?? ''),
    at: String(item.at ?? ''),
  };
}

/**
 * MAILADDR#<email> / STATUS is what the mailer reads before each send; MAILSUPPRESSIONS /
 * <email> lists them without a Scan. Written in that order: a crash in between leaves the
 * address refused but unlisted until SNS redelivers the event (the handler failed), which
 * writes both again.
 */
export class DynamoEmailAddressStore implements EmailAddressStatus {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async statusOf(email: string): Promise<EmailAddressState> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.mailAddress(email), ConsistentRead: true })),
    );
    const status = result.Item?.status;
    return status === 'bounced' || status === 'complained' ? status : 'ok';
  }

  async mark(entry: SuppressedAddress): Promise<void> {
    const email = entry.email.toLowerCase();
    const item = { kind: 'mail-address', email, status: entry.status, reason: entry.reason.slice(0, 500), at: entry.at };
    // A complaint is the stronger signal: a later bounce report does not replace it.
    const keepComplaint = entry.status === 'bounced' ? { ConditionExpression: 'attribute_not_exists(pk) OR #status <> :complained' } : {};
    const values =
      entry.status === 'bounced'
        ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':complained': 'complained' } }
        : {};
    for (const key of [keys.mailAddress(email), keys.mailSuppressionEntry(email)]) {
      await conditionalWrite('PutItem', () =>
        this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...key, ...item }, ...keepComplaint, ...values })),
      );
    }
  }

  async listSuppressed(limit: number, cursor?: string): Promise<SuppressionPage> {
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.mailSuppressionsPartition },
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: { pk: keys.mailSuppressionsPartition, sk: decodeCursor(cursor) } } : {}),
        }),
      ),
    );
    const addresses = (result.Items ?? []).map(toAddress);
    const last = result.LastEvaluatedKey?.sk;
    return { addresses, ...(typeof last === 'string' ? { next: encodeCursor(last) } : {}) };
  }
}
