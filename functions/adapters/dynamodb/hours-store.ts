import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusinessHours } from '../../domain/business-hours';
import type { AnnouncedAvailability, HoursStore } from '../../ports/hours-store';
import { dynamo } from './errors';
import { keys } from './keys';

/** Business hours (`SKILL#<skill>` / `HOURS`) and the last announced availability (`SKILL#<skill>` / `ANNOUNCED`). */
export class DynamoHoursStore implements HoursStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(skill: string): Promise<BusinessHours | undefined> {
    const result = await dynamo('GetItem', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.skillHours(skill) })));
    const hours = result.Item?.hours;
    return hours && typeof hours === 'object' ? (hours as BusinessHours) : undefined;
  }

  async put(skill: string, hours: BusinessHours, change: { by: string; now: string }): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.skillHours(skill), kind: 'skill-hours', skill, hours, updatedBy: change.by, updatedAt: change.now },
        }),
      ),
    );
  }

  async lastAnnounced(skill: string): Promise<AnnouncedAvailability | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.skillAnnounced(skill), ConsistentRead: true })),
    );
    const item = result.Item;
    if (!item || typeof item.open !== 'boolean') return undefined;
    return { open: item.open, agentsOnline: Number(item.agentsOnline ?? 0), at: String(item.at ?? '') };
  }

  async rememberAnnounced(skill: string, announced: AnnouncedAvailability): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.skillAnnounced(skill), kind: 'skill-announced', skill, ...announced },
        }),
      ),
    );
  }
}
