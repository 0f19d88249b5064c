import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AgentDirectory, AgentProfile } from '../../ports/agent-directory';
import { dynamo } from './errors';
import { keys } from './keys';

export class DynamoAgentDirectory implements AgentDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(agentId: string): Promise<AgentProfile | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentProfile(agentId) })),
    );
    return result.Item ? toProfile(result.Item) : undefined;
  }

  async findByEmail(email: string): Promise<AgentProfile | undefined> {
    const lookup = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.agentEmail(email) })),
    );
    const agentId = lookup.Item?.agentId;
    return typeof agentId === 'string' ? this.get(agentId) : undefined;
  }

  async put(profile: AgentProfile): Promise<void> {
    const email = profile.email.toLowerCase();
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.agentProfile(profile.id), kind: 'agent', ...profile, email, skills: [...profile.skills] },
        }),
      ),
    );
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({ TableName: this.tableName, Item: { ...keys.agentEmail(email), kind: 'agent-email', agentId: profile.id } }),
      ),
    );
  }
}

function toProfile(item: Record<string, unknown>): AgentProfile {
  return {
    id: String(item.id),
    email: String(item.email),
    name: String(item.name),
    role: item.role as AgentProfile['role'],
    skills: Array.isArray(item.skills) ? item.skills.map(String) : [],
    capacity: Number(item.capacity),
    passwordHash: String(item.passwordHash),
  };
}
