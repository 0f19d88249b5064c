import { describe, expect, it } from 'vitest';
import { createTableInput, INDEX_PROJECTIONS, INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb/table-schema';
import { EMPTY_KEY_SET } from '../../functions/adapters/jwt/key-sets';
import {
  ROUTER_TIMEOUT_SECONDS,
  ROUTING_QUEUE_SETTINGS,
  deadLetterQueueAttributes,
  routingQueueAttributes,
} from '../../lib/routing-queue-settings';
import { logicalIdOf, onlyResource, resourcesOfType, synthParley } from './synth-parley';

const { stack, template } = synthParley();
const table = onlyResource(template, 'AWS::DynamoDB::Table');
const tableProps = table.Properties as Record<string, unknown>;

const expectedProjection: Record<string, unknown> = {
  byCustomer: { ProjectionType: 'KEYS_ONLY' },
  byStatus: { ProjectionType: 'KEYS_ONLY' },
  byAgent: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
  queue: {
    ProjectionType: 'INCLUDE',
    NonKeyAttributes: INDEX_PROJECTIONS.queue.type === 'INCLUDE' ? [...INDEX_PROJECTIONS.queue.attributes] : [],
  },
};

type AttributeDefinition = { AttributeName: string; AttributeType: string };
const byName = (a: AttributeDefinition, b: AttributeDefinition) => a.AttributeName.localeCompare(b.AttributeName);

describe('DynamoDB table', () => {
  it('has the key schema of table-schema.ts', () => {
    expect(tableProps.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
  });

  it('has exactly the global secondary indexes of table-schema.ts, each projecting only what its queries read', () => {
    const indexes = tableProps.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      Object.values(INDEXES)
        .map((index) => index.indexName)
        .sort(),
    );
    for (const index of Object.values(INDEXES)) {
      expect(indexes.find((candidate) => candidate.IndexName === index.indexName)).toEqual({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: expectedProjection[index.indexName],
      });
    }
  });

  it('projects none of what a message changes on a conversation, so a message writes no index entry', () => {
    const perMessage = ['lastSeq', 'updatedAt', 'lastCustomerSeq', 'lastCustomerAt', 'lastAgentSeq', 'lastAgentAt'];
    for (const projection of Object.values(INDEX_PROJECTIONS)) {
      const attributes = projection.type === 'INCLUDE' ? projection.attributes : [];
      expect(attributes.filter((name) => perMessage.includes(name))).toEqual([]);
    }
  });

  it('matches the CreateTable input the local stack uses, so AWS and dynalite cannot drift', () => {
    const local = createTableInput('local');
    expect(tableProps.BillingMode).toBe(local.BillingMode);
    expect(tableProps.KeySchema).toEqual(local.KeySchema);
    expect([...(tableProps.AttributeDefinitions as AttributeDefinition[])].sort(byName)).toEqual(
      [...local.AttributeDefinitions].sort(byName),
    );
    const deployedIndexes = tableProps.GlobalSecondaryIndexes as { IndexName: string }[];
    for (const localIndex of local.GlobalSecondaryIndexes) {
      expect(deployedIndexes.find((index) => index.IndexName === localIndex.IndexName)).toEqual(localIndex);
    }
  });

  it('expires items on the TTL attribute', () => {
    expect(tableProps.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('is on-demand, point-in-time recoverable, encrypted and protected from deletion', () => {
    expect(tableProps).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('is retained when the stack or the resource goes away', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('secrets', () => {
  it('generates the 64-character identified-customer key without punctuation', () => {
    const secret = resourcesOfType(template, 'AWS::SecretsManager::Secret')[logicalIdOf(stack.storage.identifiedCustomerSecret)];
    expect(secret?.Properties?.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
    expect(secret?.Properties?.SecretString).toBeUndefined();
  });

  it('starts both token key sets empty: no key material in the template, the first rotation creates the first key', () => {
    const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret');
    for (const construct of [stack.storage.signingKeysSecret, stack.storage.verificationKeysSecret]) {
      const secret = secrets[logicalIdOf(construct)];
      expect(secret?.Properties?.SecretString).toBe(EMPTY_KEY_SET);
      expect(secret?.Properties?.GenerateSecretString).toBeUndefined();
    }
  });

  it('only references the Upstash secret, by the default name', () => {
    expect(stack.storage.upstashSecret.secretName).toBe('parley/upstash');
    expect(Object.keys(resourcesOfType(template, 'AWS::SecretsManager::Secret')).sort()).toEqual(
      [stack.storage.signingKeysSecret, stack.storage.verificationKeysSecret, stack.storage.identifiedCustomerSecret]
        .map((secret) => logicalIdOf(secret))
        .sort(),
    );
  });
});

describe('routing queue', () => {
  const queueId = logicalIdOf(stack.routing.queue);
  const deadLetterId = logicalIdOf(stack.routing.deadLetterQueue);
  const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
  const queue = resources[queueId]!.Properties;
  const deadLetter = resources[deadLetterId]!.Properties;

  it('encrypts both queues with SQS-managed keys', () => {
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(deadLetter.SqsManagedSseEnabled).toBe(true);
  });

  it('refuses non-TLS access to both queues', () => {
    for (const id of [queueId, deadLetterId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      });
    }
  });

  it('parks a job in the dead-letter queue after five receives, and keeps it for 14 days', () => {
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(deadLetter.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it("hides in-flight jobs for at least six times the router's timeout", () => {
    const router = resources[logicalIdOf(stack.router.router.lambda)]!.Properties;
    expect(router.Timeout).toBe(30);
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * (router.Timeout as number));
  });

  it('feeds the router in batches of up to 10 without a batching window, with partial batch failures reported, at most maxConcurrency invocations at once', () => {
    const mapping = onlyResource(template, 'AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.router.router.lambda) },
    });
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: logicalIdOf(stack.router.router.lambda) },
      // The most AWS allows without a batching window.
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // A burst of triggers cannot take the account's Lambda concurrency (docs/routing.md).
      ScalingConfig: { MaximumConcurrency: ROUTING_QUEUE_SETTINGS.maxConcurrency },
    });
    expect(ROUTING_QUEUE_SETTINGS.maxConcurrency).toBeGreaterThanOrEqual(2);
    // A window holds every batch that is not full for its whole length: each routed start would wait it out.
    expect(mapping.Properties?.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
  });

  it('is built from the definition the local stack creates its queues from (lib/routing-queue-settings.ts)', () => {
    const deadLetterArn = 'arn:aws:sqs:us-east-1:000000000000:dlq';
    const local = routingQueueAttributes(deadLetterArn);
    expect(String(queue.VisibilityTimeout)).toBe(local.VisibilityTimeout);
    expect(String(queue.MessageRetentionPeriod)).toBe(local.MessageRetentionPeriod);
    expect(queue.RedrivePolicy).toEqual({
      ...JSON.parse(local.RedrivePolicy!),
      deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] },
    });
    expect(String(deadLetter.MessageRetentionPeriod)).toBe(deadLetterQueueAttributes().MessageRetentionPeriod);
    const router = resources[logicalIdOf(stack.router.router.lambda)]!.Properties;
    expect(router.Timeout).toBe(ROUTER_TIMEOUT_SECONDS);
    expect(
      onlyResource(template, 'AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: logicalIdOf(stack.router.router.lambda) } })
        .Properties,
    ).toMatchObject({
      BatchSize: ROUTING_QUEUE_SETTINGS.batchSize,
      MaximumBatchingWindowInSeconds: ROUTING_QUEUE_SETTINGS.maxBatchingWindowSeconds,
    });
  });
});
