import { DependencyError } from '../../ports/errors';

export class DynamoStoreError extends DependencyError {
  override readonly name = 'DynamoStoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('dynamodb', message, options);
  }
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a DynamoDB call, turning service failures into DynamoStoreError (conditions pass through). */
export async function dynamo<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isConditionFailure(error)) throw error;
    throw new DynamoStoreError(`DynamoDB ${operation} failed`, { cause: error });
  }
}

/**
 * A conditional write whose losing the condition is an expected outcome, not an error:
 * resolves to `conditionFailed: true` then, and to false when the write went through.
 */
export async function conditionalWrite(operation: string, call: () => Promise<unknown>): Promise<{ conditionFailed: boolean }> {
  try {
    await dynamo(operation, call);
    return { conditionFailed: false };
  } catch (error) {
    if (isConditionFailure(error)) return { conditionFailed: true };
    throw error;
  }
}
