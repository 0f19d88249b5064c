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
