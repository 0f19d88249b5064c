import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../../domain/identity';
import type { ConnectionRecord, ConnectionStore } from '../../ports/connection-store';
import { dynamo } from './errors';
import { keys } from './keys';

/** Connections live under their user, so "every connection of a participant" is one Query. */
export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(connection: ConnectionRecord): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.userConnection(connection.userId, connection.connectionId), kind: 'connection', ...connection },
        }),
      ),
    );
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    await dynamo('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.userConnection(userId, connectionId) })),
    );
  }

  async listForUser(userId: string, nowEpochSeconds: number): Promise<ConnectionRecord[]> {
    const result = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': 'CONN#' },
          ConsistentRead: true,
        }),
      ),
    );
    // TTL deletes lazily, so expired records are skipped here.
    return (result.Items ?? [])
      .filter((item) => Number(item.expiresAt) > nowEpochSeconds)
      .map((item) => ({
        connectionId: String(item.connectionId),
        userId: String(item.userId),
        role: item.role as Role,
        connectedAt: String(item.connectedAt),
        expiresAt: Number(item.expiresAt),
        ...(typeof item.tokenExpiresAt === 'number' ? { tokenExpiresAt: item.tokenExpiresAt } : {}),
        ...(typeof item.sessionId === 'string' ? { sessionId: item.sessionId } : {}),
      }));
  }
}
