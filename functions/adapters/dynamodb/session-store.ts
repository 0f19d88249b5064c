import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgentProfile } from '../../ports/agent-directory';
import type { SessionStore, StaffSession } from '../../ports/session-store';
import { toProfile } from './agent-directory';
import { batchGetItems } from './conversation-reads';
import { conditionalWrite, dynamo } from './errors';
import { keys } from './keys';

/**
 * Staff sessions: SESSION#<id>/SESSION, one item per token family holding the hash of the
 * current refresh token. Rotation and revocation are single-item conditional updates;
 * `expiresAt` is the table's TTL attribute, so ended sessions go by themselves.
 */
export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(session: StaffSession): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.staffSession(session.sessionId), kind: 'staff-session', ...session },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(sessionId: string): Promise<StaffSession | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.staffSession(sessionId), ConsistentRead: true })),
    );
    return result.Item ? toSession(result.Item) : undefined;
  }

  /** One consistent BatchGetItem for both items (the same two reads, one round trip). */
  async getWithProfile(sessionId: string, agentId: string): Promise<{ session?: StaffSession; profile?: AgentProfile }> {
    const sessionKey = keys.staffSession(sessionId);
    const profileKey = keys.agentProfile(agentId);
    const items = await batchGetItems(this.db, this.tableName, [sessionKey, profileKey]);
    const session = items.find((item) => item.pk === sessionKey.pk && item.sk === sessionKey.sk);
    const profile = items.find((item) => item.pk === profileKey.pk && item.sk === profileKey.sk);
    return { ...(session ? { session: toSession(session) } : {}), ...(profile ? { profile: toProfile(profile) } : {}) };
  }

  async rotate(sessionId: string, expectedHash: string, nextHash: string, maxGenerations: number): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.staffSession(sessionId),
          // The used hashes are a string set: bounded by maxGenerations (64 bytes each).
          UpdateExpression: 'SET tokenHash = :next, generation = generation + :one ADD usedHashes :used',
          ConditionExpression: 'tokenHash = :expected AND attribute_not_exists(revokedAt) AND generation < :max',
          ExpressionAttributeValues: {
            ':next': nextHash,
            ':expected': expectedHash,
            ':one': 1,
            ':used': new Set([expectedHash]),
            ':max': maxGenerations,
          },
        }),
      ),
    );
    return !conditionFailed;
  }

  async revoke(sessionId: string, revokedAt: string, reason: string): Promise<void> {
    await conditionalWrite('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.staffSession(sessionId),
          UpdateExpression: 'SET revokedAt = :at, revokedReason = :reason',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': revokedAt, ':reason': reason },
        }),
      ),
    );
  }
}

function toSession(item: Record<string, unknown>): StaffSession {
  return {
    sessionId: String(item.sessionId),
    agentId: String(item.agentId),
    tokenHash: String(item.tokenHash),
    createdAt: Number(item.createdAt),
    expiresAt: Number(item.expiresAt),
    generation: Number(item.generation ?? 0),
    ...(item.usedHashes instanceof Set ? { usedHashes: [...(item.usedHashes as Set<string>)] } : {}),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
    ...(typeof item.revokedReason === 'string' ? { revokedReason: item.revokedReason } : {}),
  };
}
