import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgentStatus } from '../../domain/routing';
import type { AgentStatusRecord, ChosenStatus } from '../../ports/agent-status-record';
import { conditionalWrite, dynamo } from './errors';
import { keys } from './keys';

const STATUSES: readonly AgentStatus[] = ['online', 'away', 'offline'];

/**
 * `AGENT#<id>` / `STATUS`: apart from the profile, so replacing a profile (agent admin) never
 * drops it. A write older than the stored choice loses (two tabs racing): one conditional PutItem.
 */
export class DynamoAgentStatusRecord implements AgentStatusRecord {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(agentId: string): Promise<ChosenStatus | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentChosenStatus(agentId), ConsistentRead: true })),
    );
    const item = result.Item;
    if (!item || !STATUSES.includes(item.status as AgentStatus)) return undefined;
    return {
      status: item.status as AgentStatus,
      name: String(item.name ?? agentId),
      skills: Array.isArray(item.skills) ? item.skills.map(String) : [],
      capacity: Number(item.capacity ?? 0),
      at: String(item.at ?? ''),
    };
  }

  async put(agentId: string, chosen: ChosenStatus): Promise<void> {
    await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.agentChosenStatus(agentId), kind: 'agent-status', agentId, ...chosen, skills: [...chosen.skills] },
          ConditionExpression: 'attribute_not_exists(#at) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': chosen.at },
        }),
      ),
    );
  }
}
