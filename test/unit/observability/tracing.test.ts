import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { captureClients, traced, tracer } from '../../../functions/shared/tracing';

describe('tracing off the Lambda runtime (local stack, tests)', () => {
  it('is disabled, leaves SDK clients as built and runs invocations as they are', async () => {
    expect(tracer.isTracingEnabled()).toBe(false);
    const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
    const before = dynamodb.middlewareStack.identify();
    expect(captureClients({ dynamodb }).dynamodb).toBe(dynamodb);
    expect(dynamodb.middlewareStack.identify()).toEqual(before);
    await expect(traced('message', async () => 'ran')).resolves.toBe('ran');
  });
});
