import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../domain/errors';
import type { ReportRow } from '../../domain/reports';
import type { RatingPage, ReportStore, StoredRating } from '../../ports/report-store';
import { conditionalWrite, dynamo } from './errors';
import { TTL_ATTRIBUTE } from './table-schema';

/**
 * Reports in the one table (docs/reports.md):
 *   EVENT#<eventId>   / SINK#reports           dedupe marker, TTL
 *   REPORT#<day>      / ROW#<skill>#<agentId>  counters and histogram buckets of a day, skill and agent
 *   RATINGS#<agentId> / CONV#<conversationId>  a conversation's rating (newest conversation first: ULIDs)
 */
const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'SINK#reports' });
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

export class DynamoReportStore implements ReportStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimEvent(eventId: string, expiresAtSeconds: number): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('PutItem (report event claim)', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...eventKey(eventId), [TTL_ATTRIBUTE]: expiresAtSeconds },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return !conditionFailed;
  }

  async releaseEvent(eventId: string): Promise<void> {
    await dynamo('DeleteItem (report event claim)', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: eventKey(eventId) })),
    );
  }

  async add(day: string, skill: string, agent: { id: string; name?: string }, values: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(values).filter(([, value]) => value !== 0);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const expressionValues: Record<string, unknown> = { ':skill': skill, ':agentId': agent.id, ':day': day };
    const adds = entries.map(([name, value], index) => {
      if (!NAME.test(name)) throw new BadRequestError(`Not a counter name: ${name}`);
      names[`#c${index}`] = name;
      expressionValues[`:c${index}`] = value;
      return `#c${index} :c${index}`;
    });
    const sets = ['skill = :skill', 'agentId = :agentId', '#day = :day'];
    names['#day'] = 'day';
    if (agent.name !== undefined) {
      sets.push('agentName = :agentName');
      expressionValues[':agentName'] = agent.name;
    }
    await dynamo('UpdateItem (report row)', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `REPORT#${day}`, sk: `ROW#${skill}#${agent.id}` },
          UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: expressionValues,
        }),
      ),
    );
  }

  async putRating(rating: StoredRating): Promise<StoredRating | undefined> {
    const result = await dynamo('PutItem (rating)', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `RATINGS#${rating.agentId}`, sk: `CONV#${rating.conversationId}`, ...rating },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return result.Attributes ? toRating(result.Attributes) : undefined;
  }

  async rowsOf(day: string): Promise<ReportRow[]> {
    const rows: ReportRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo('Query (report rows)', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `REPORT#${day}` },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) rows.push(toRow(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return rows;
  }

  async ratingsOf(agentId: string, limit: number, cursor?: string): Promise<RatingPage> {
    const page = await dynamo('Query (ratings)', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `RATINGS#${agentId}` },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: { pk: `RATINGS#${agentId}`, sk: decodeCursor(cursor) } } : {}),
        }),
      ),
    );
    const last = page.LastEvaluatedKey?.sk;
    return {
      ratings: (page.Items ?? []).map(toRating),
      ...(typeof last === 'string' ? { nextCursor: Buffer.from(last, 'utf8').toString('base64url') } : {}),
    };
  }
}

function decodeCursor(cursor: string): string {
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^CONV#[\w:-]{1,128}$/.test(sk)) throw new BadRequestError('cursor is not one this list gave');
  return sk;
}

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'skill', 'agentId', 'agentName', 'day']);

function toRow(item: Record<string, unknown>): ReportRow {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name) && typeof value === 'number') values[name] = value;
  return {
    day: String(item.day),
    skill: String(item.skill),
    agentId: String(item.agentId),
    ...(typeof item.agentName === 'string' ? { agentName: item.agentName } : {}),
    values,
  };
}

function toRating(item: Record<string, unknown>): StoredRating {
  return {
    conversationId: String(item.conversationId),
    agentId: String(item.agentId),
    ...(typeof item.agentName === 'string' ? { agentName: item.agentName } : {}),
    skill: String(item.skill),
    customerId: String(item.customerId),
    score: Number(item.score),
    ...(typeof item.comment === 'string' ? { comment: item.comment } : {}),
    at: String(item.at),
    day: String(item.day),
  };
}
