import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';
import { beforeAllOrFail, STACK_START_MS } from './setup';

/** A schedule interval longer than any test: the reconciliation and presence sweep never run during one. */
export const NO_SCHEDULE_MS = 24 * 3600 * 1000;

/**
 * One local stack for the file's tests: started before them all (on free ports, with the demo
 * seed unless `options` says otherwise; a failed start fails every test, see beforeAllOrFail),
 * handed to `ready` (the file keeps it and adds its spies), stopped after them all.
 */
export function useLocalStack(options: Partial<LocalStackOptions>, ready: (stack: LocalStack) => void | Promise<void>): void {
  let started: LocalStack | undefined;
  beforeAllOrFail(async () => {
    started = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, ...options });
    await ready(started);
  }, STACK_START_MS);
  afterAll(async () => {
    await started?.stop();
  });
}

/** One DynamoDB request a handler of the stack made, seen before it is sent (once per call, not per retry). */
export interface DynamoDbRequest {
  /** The SDK command's name: `GetItemCommand`, `QueryCommand`, `BatchWriteItemCommand`. */
  readonly commandName: string;
  /** Its input as the handler gave it (document client values, before marshalling). */
  readonly input: Record<string, unknown>;
}

/** Calls `listener` with every DynamoDB request the stack's handlers make; `name` names the middleware. */
export function onDynamoDbRequest(stack: LocalStack, name: string, listener: (request: DynamoDbRequest) => void): void {
  stack.wiring().clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      listener({ commandName: context.commandName ?? 'unknown', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name },
  );
}

/** A Query of connection records (`CONN#` under a user). */
export const isConnectionQuery = (request: DynamoDbRequest): boolean =>
  request.commandName === 'QueryCommand' && JSON.stringify(request.input).includes('CONN#');

/** A running count, read with `count` and set back to 0 with `reset()`. */
export interface RequestCount {
  readonly count: number;
  reset(): void;
}

/** Counts every Query of connection records (`CONN#` under a user) that any handler of the stack makes. */
export function countConnectionQueries(stack: LocalStack): RequestCount {
  let count = 0;
  onDynamoDbRequest(stack, 'countConnectionQueries', (request) => {
    if (isConnectionQuery(request)) count++;
  });
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

/** Every routing trigger published so far has been handled (none waiting, delayed or in flight). */
export async function routingQueueDrained(stack: LocalStack): Promise<boolean> {
  const { Attributes } = await stack
    .wiring()
    .clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.routingQueueUrl, AttributeNames: ['All'] }));
  return (
    Attributes?.ApproximateNumberOfMessages === '0' &&
    Attributes.ApproximateNumberOfMessagesNotVisible === '0' &&
    Attributes.ApproximateNumberOfMessagesDelayed === '0'
  );
}
