import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CredentialStore } from '../../ports/credential-store';
import { conditionalWrite, dynamo } from './errors';
import { keys } from './keys';

/** The attribute older deployments kept the hash in, on AGENT#<id>/PROFILE. */
export const LEGACY_HASH_ATTRIBUTE = 'passwordHash';

/**
 * Password hashes on CREDENTIAL#<agentId>/PASSWORD. Writes are blind (PutItem, DeleteItem,
 * no ReturnValues), so the admin functions that set them need no read permission on the
 * partition; only sign-in reads it.
 */
export class DynamoCredentialStore implements CredentialStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async passwordHash(agentId: string): Promise<string | undefined> {
    const stored = await this.read(agentId);
    if (stored !== undefined) return stored;
    return this.migrateLegacyHash(agentId);
  }

  async setPasswordHash(agentId: string, passwordHash: string): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.agentCredential(agentId), kind: 'agent-credential', agentId, passwordHash },
        }),
      ),
    );
    await this.removeLegacyHash(agentId);
  }

  async remove(agentId: string): Promise<void> {
    await dynamo('DeleteItem', () => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.agentCredential(agentId) })));
  }

  private async read(agentId: string): Promise<string | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentCredential(agentId), ConsistentRead: true })),
    );
    const hash = result.Item?.passwordHash;
    return typeof hash === 'string' ? hash : undefined;
  }

  /**
   * An agent not signed in since the upgrade still has its hash on the profile: it is
   * copied here (unless a new password got here first) and removed from the profile, so no
   * one is locked out and the profile stops carrying it.
   */
  private async migrateLegacyHash(agentId: string): Promise<string | undefined> {
    const profile = await dynamo('GetItem', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.agentProfile(agentId),
          ProjectionExpression: '#hash',
          ExpressionAttributeNames: { '#hash': LEGACY_HASH_ATTRIBUTE },
          ConsistentRead: true,
        }),
      ),
    );
    const legacy = profile.Item?.[LEGACY_HASH_ATTRIBUTE];
    if (typeof legacy !== 'string') return undefined;
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.agentCredential(agentId), kind: 'agent-credential', agentId, passwordHash: legacy },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    await this.removeLegacyHash(agentId);
    // A password set meanwhile wins over the old one.
    return conditionFailed ? this.read(agentId) : legacy;
  }

  private async removeLegacyHash(agentId: string): Promise<void> {
    // Conditional, so a missing profile is not created as an empty item.
    await conditionalWrite('UpdateItem', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.agentProfile(agentId),
          UpdateExpression: 'REMOVE #hash',
          ConditionExpression: 'attribute_exists(#hash)',
          ExpressionAttributeNames: { '#hash': LEGACY_HASH_ATTRIBUTE },
        }),
      ),
    );
  }
}
