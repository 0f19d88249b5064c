import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { captureClient, loadTracer, traced, tracingRequested } from '../../../functions/shared/tracing';

describe('tracing off the Lambda runtime (local stack, tests)', () => {
  it('is disabled, loads no Tracer, leaves SDK clients as built and runs invocations as they are', async () => {
    expect(tracingRequested()).toBe(false);
    await expect(loadTracer()).resolves.toBeUndefined();
    const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
    const before = dynamodb.middlewareStack.identify();
    expect(captureClient(dynamodb)).toBe(dynamodb);
    expect(dynamodb.middlewareStack.identify()).toEqual(before);
    await expect(traced('message', async () => 'ran')).resolves.toBe('ran');
  });

  it('is asked for on Lambda unless POWERTOOLS_TRACE_ENABLED=false', () => {
    expect(tracingRequested({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' })).toBe(true);
    expect(tracingRequested({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    expect(tracingRequested({})).toBe(false);
  });
});
