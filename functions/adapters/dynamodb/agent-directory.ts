import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors';
import type { AgentDirectory, AgentProfile, AgentSummary } from '../../ports/agent-directory';
import { LEGACY_HASH_ATTRIBUTE } from './credential-store';
import { conditionalWrite, dynamo, isConditionFailure } from './errors';
import { keys } from './keys';

type Item = Record<string, unknown>;

/**
 * Agent profiles (password hashes are not here: credential-store.ts): AGENT#<id>/PROFILE, an EMAIL#<email>/LOGIN lookup (one email, one agent,
 * as a single-item condition) and a ROSTER/AGENT#<id> entry for listing. Writes go lookup,
 * profile, roster; a crash in between leaves a lookup without a profile, which the next
 * write for that email takes over.
 */
export class DynamoAgentDirectory implements AgentDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(agentId: string): Promise<AgentProfile | undefined> {
    const item = await this.profileItem(agentId);
    return item ? toProfile(item) : undefined;
  }

  private async profileItem(agentId: string): Promise<Item | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentProfile(agentId), ConsistentRead: true })),
    );
    return result.Item;
  }

  async findByEmail(email: string): Promise<AgentProfile | undefined> {
    const lookup = await dynamo('GetItem', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentEmail(email) })));
    const agentId = lookup.Item?.agentId;
    return typeof agentId === 'string' ? this.get(agentId) : undefined;
  }

  async put(profile: AgentProfile): Promise<void> {
    const email = profile.email.toLowerCase();
    const previousItem = await this.profileItem(profile.id);
    const previous = previousItem ? toProfile(previousItem) : undefined;
    // A hash from before credentials had their own items stays until sign-in moves it
    // (credential-store.ts): replacing the profile must not lock its agent out.
    const legacyHash = previousItem?.[LEGACY_HASH_ATTRIBUTE];
    await this.claimEmail(email, profile.id);
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.agentProfile(profile.id),
            kind: 'agent',
            ...profile,
            email,
            skills: [...profile.skills],
            ...(typeof legacyHash === 'string' ? { [LEGACY_HASH_ATTRIBUTE]: legacyHash } : {}),
          },
        }),
      ),
    );
    const { tokensValidAfter: _cutoff, ...summary } = profile;
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.agentRoster(profile.id), kind: 'agent-roster', ...summary, email, skills: [...profile.skills] },
        }),
      ),
    );
    if (previous && previous.email.toLowerCase() !== email) await this.releaseEmail(previous.email, profile.id);
  }

  /** The email lookup, unless another agent (with a profile) holds it. */
  private async claimEmail(email: string, agentId: string): Promise<void> {
    const put = (condition: string, values: Item) =>
      dynamo('PutItem', () =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.agentEmail(email), kind: 'agent-email', agentId },
            ConditionExpression: condition,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    try {
      await put('attribute_not_exists(pk) OR agentId = :id', { ':id': agentId });
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const lookup = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentEmail(email), ConsistentRead: true })),
    );
    const holder = lookup.Item?.agentId;
    if (typeof holder === 'string' && (await this.get(holder))) throw new ConflictError(`Another agent already uses ${email}`);
    try {
      // A lookup left behind by an interrupted write: take it over.
      await put('agentId = :stale', { ':stale': holder });
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(`Another agent already uses ${email}`);
      throw error;
    }
  }

  private async releaseEmail(email: string, agentId: string): Promise<void> {
    // Only the lookup this agent holds is removed; someone else's stays.
    await conditionalWrite('DeleteItem', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.agentEmail(email),
          ConditionExpression: 'agentId = :id',
          ExpressionAttributeValues: { ':id': agentId },
        }),
      ),
    );
  }

  async list(): Promise<AgentSummary[]> {
    const out: AgentSummary[] = [];
    let startKey: Item | undefined;
    do {
      const page = await dynamo('Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.agentRosterPartition },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      out.push(...(page.Items ?? []).map(toSummary));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async remove(agentId: string): Promise<void> {
    const profile = await this.get(agentId);
    await dynamo('DeleteItem', () => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.agentRoster(agentId) })));
    if (!profile) return;
    await dynamo('DeleteItem', () => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.agentProfile(agentId) })));
    await this.releaseEmail(profile.email, agentId);
  }
}

function toSummary(item: Item): AgentSummary {
  return {
    id: String(item.id),
    email: String(item.email),
    name: String(item.name),
    role: item.role as AgentProfile['role'],
    skills: Array.isArray(item.skills) ? item.skills.map(String) : [],
    capacity: Number(item.capacity),
    ...(item.disabled === true ? { disabled: true } : {}),
  };
}

/** Never the password hash, even one an older deployment left on the profile item. */
export function toProfile(item: Item): AgentProfile {
  return {
    ...toSummary(item),
    ...(typeof item.tokensValidAfter === 'number' ? { tokensValidAfter: item.tokensValidAfter } : {}),
  };
}
