import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryAttempt, WebhookEndpoint } from '../../domain/webhooks';
import type { WebhookStore } from '../../ports/webhooks';
import { conditionalWrite, dynamo } from './errors';
import { TTL_ATTRIBUTE } from './table-schema';

const PARTITION = 'WEBHOOKS';
const ENDPOINT_PREFIX = 'ENDPOINT#';
const LOG_PREFIX = 'WEBHOOKLOG#';
/** An event the sink fanned out: a redelivered event finds it and is not queued again. */
const EVENT_PREFIX = 'WHEVENT#';

const endpointKey = (id: string) => ({ pk: PARTITION, sk: `${ENDPOINT_PREFIX}${id}` });

function endpointOf(item: Record<string, unknown>): WebhookEndpoint {
  const { pk: _pk, sk: _sk, ...endpoint } = item;
  return endpoint as unknown as WebhookEndpoint;
}

function attemptOf(item: Record<string, unknown>): DeliveryAttempt {
  const { pk: _pk, sk: _sk, [TTL_ATTRIBUTE]: _ttl, ...attempt } = item;
  return attempt as unknown as DeliveryAttempt;
}

/**
 * `WEBHOOKS` / `ENDPOINT#<id>`: every endpoint in one partition (at most 20), read whole by one
 * Query. `WEBHOOKLOG#<endpointId>` / `<at>#<deliveryId>#<attempt>`: the delivery log, newest
 * last in the partition, each item expiring by TTL.
 */
export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<WebhookEndpoint[]> {
    const endpoints: WebhookEndpoint[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo('Query', () =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': PARTITION, ':prefix': ENDPOINT_PREFIX },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) endpoints.push(endpointOf(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return endpoints;
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const result = await dynamo('GetItem', () =>
      this.db.send(new GetCommand({ TableName: this.tableName, Key: endpointKey(id), ConsistentRead: true })),
    );
    return result.Item ? endpointOf(result.Item) : undefined;
  }

  async create(endpoint: WebhookEndpoint): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...endpointKey(endpoint.id), ...endpoint },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return !conditionFailed;
  }

  async replace(endpoint: WebhookEndpoint): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...endpointKey(endpoint.id), ...endpoint },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
    return !conditionFailed;
  }

  async delete(id: string): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: endpointKey(id), ConditionExpression: 'attribute_exists(pk)' })),
    );
    return !conditionFailed;
  }

  async claimEvent(eventId: string, expiresAt: number): Promise<boolean> {
    const { conditionFailed } = await conditionalWrite('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `${EVENT_PREFIX}${eventId}`, sk: 'FANOUT', [TTL_ATTRIBUTE]: expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return !conditionFailed;
  }

  async releaseEvent(eventId: string): Promise<void> {
    await dynamo('DeleteItem', () =>
      this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `${EVENT_PREFIX}${eventId}`, sk: 'FANOUT' } })),
    );
  }

  async recordAttempt(attempt: DeliveryAttempt, expiresAt: number): Promise<void> {
    await dynamo('PutItem', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `${LOG_PREFIX}${attempt.endpointId}`,
            sk: `${attempt.at}#${attempt.deliveryId}#${String(attempt.attempt).padStart(3, '0')}`,
            ...attempt,
            [TTL_ATTRIBUTE]: expiresAt,
          },
        }),
      ),
    );
  }

  async listAttempts(endpointId: string, limit: number, cursor?: string): Promise<{ attempts: DeliveryAttempt[]; cursor?: string }> {
    const page = await dynamo('Query', () =>
      this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `${LOG_PREFIX}${endpointId}` },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: { pk: `${LOG_PREFIX}${endpointId}`, sk: cursor } } : {}),
        }),
      ),
    );
    const next = page.LastEvaluatedKey?.sk;
    return { attempts: (page.Items ?? []).map(attemptOf), ...(typeof next === 'string' ? { cursor: next } : {}) };
  }
}
