import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SkillNames } from '../../domain/skills';
import type { SkillStore, StoredSkill } from '../../ports/skill-store';
import { dynamo } from './errors';
import { keys } from './keys';

type Item = Record<string, unknown>;

function toStoredSkill(item: Item): StoredSkill {
  const names = (item.names ?? {}) as Partial<SkillNames>;
  const id = String(item.skill);
  return {
    id,
    names: { en: typeof names.en === 'string' ? names.en : id, ...(typeof names['zh-CN'] === 'string' ? { 'zh-CN': names['zh-CN'] } : {}) },
    updatedAt: String(item.updatedAt ?? ''),
    updatedBy: String(item.updatedBy ?? ''),
  };
}

/** `SKILLS` / `SKILL#<id>`: one item per configured skill; the list is one Query of the partition. */
export class DynamoSkillStore implements SkillStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<StoredSkill[]> {
    const out: StoredSkill[] = [];
    let startKey: Item | undefined;
    do {
      const page = await dynamo('Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.configuredSkillsPartition },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      out.push(...(page.Items ?? []).map(toStoredSkill));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out;
  }

  async has(skill: string): Promise<boolean> {
    return (await this.list()).some((stored) => stored.id === skill);
  }

  async put(skill: StoredSkill): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.configuredSkill(skill.id),
            kind: 'skill',
            skill: skill.id,
            names: skill.names,
            updatedAt: skill.updatedAt,
            updatedBy: skill.updatedBy,
          },
        }),
      ),
    );
  }

  async remove(skill: string): Promise<void> {
    await dynamo('DeleteItem', () => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.configuredSkill(skill) })));
  }
}
