import { AsyncLocalStorage } from 'node:async_hooks';
import type { LocalStack } from '../../local/stack';
import { RequestCounter } from '../../scripts/bench/request-counter';
import { onDynamoDbRequest, useLocalStack } from './local-stack';

/**
 * A request-count test's stack: every handler runs inside `npm run bench`'s RequestCounter
 * (scripts/bench/request-counter.ts) and a second middleware names each DynamoDB request and
 * the function that made it, so a test can assert both the bench's count and which requests.
 */

/** One DynamoDB request, named as the request-count tests assert it. */
export interface CountedRequest {
  /** The function whose invocation made it (`start`, `message`, `transfer`). */
  readonly fn: string;
  /** The SDK command without `Command`: `GetItem`, `Query`. */
  readonly command: string;
  /** What it touched, without ids (see describeRequest). */
  readonly request: string;
  /** Its input as JSON, for tests that look for a key prefix in it. */
  readonly json: string;
}

export interface CountedStack {
  readonly stack: LocalStack;
  readonly counter: RequestCounter;
  /**
   * Runs `work` between two idle points of the stack and returns what `fn` did meanwhile: the
   * counter's DynamoDB requests and the named requests.
   */
  measure(fn: string, work: () => Promise<unknown>): Promise<{ counted: number; requests: CountedRequest[] }>;
}

/**
 * What a request touched, without ids: `PutItem USER#/OPEN`, `Query USER#/CONN#`,
 * `BatchWriteItem CONV#/MSG#,CONV#/CMID#`, `BatchGetItem SESSION#/SESSION,AGENT#/PROFILE`.
 */
export function describeRequest(command: string, input: Record<string, unknown>): string {
  const part = (key: unknown): string => {
    const { pk, sk } = key as { pk?: string; sk?: string };
    return `${String(pk).replace(/#.*/, '#')}/${String(sk ?? '').replace(/#.*/, '#')}`;
  };
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  if (input.Key) return `${command} ${part(input.Key)}`;
  if (input.Item) return `${command} ${part(input.Item)}`;
  if (input.RequestItems) {
    // BatchWriteItem: a list of puts and deletes per table; BatchGetItem: the keys per table.
    type Writes = Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }>;
    const tables = Object.values(input.RequestItems as Record<string, Writes | { Keys?: unknown[] }>);
    const keys = tables.flatMap((table) =>
      Array.isArray(table) ? table.map((write) => write.PutRequest?.Item ?? write.DeleteRequest?.Key ?? {}) : (table.Keys ?? []),
    );
    return `${command} ${keys.map(part).join(',')}`;
  }
  return `${command} ${part({ pk: values?.[':pk'], sk: values?.[':prefix'] })}`;
}

/**
 * A local stack for the file's tests (useLocalStack) whose requests are counted and named;
 * `options.env` is the handlers' extra environment (cache lifetimes, so a measured request
 * meets warm caches however loaded the machine is).
 */
export function useCountedStack(options: { env?: Readonly<Record<string, string>> } = {}): CountedStack {
  const counter = new RequestCounter();
  const running = new AsyncLocalStorage<string>();
  const requests: CountedRequest[] = [];
  let stack: LocalStack | undefined;
  useLocalStack(
    {
      env: options.env,
      instrument: (name, handler) => counter.instrument(name, (event, context) => running.run(name, () => handler(event, context))),
    },
    (started) => {
      stack = started;
      counter.attach(started.wiring().clients.dynamodb, 'dynamodb');
      onDynamoDbRequest(started, 'testCountedRequests', ({ commandName, input }) => {
        const fn = running.getStore();
        if (!fn) return;
        const command = commandName.replace(/Command$/, '');
        requests.push({ fn, command, request: describeRequest(command, input), json: JSON.stringify(input) });
      });
    },
  );
  return {
    get stack(): LocalStack {
      if (!stack) throw new Error('the counted stack has not started');
      return stack;
    },
    counter,
    async measure(fn, work) {
      await counter.idle();
      counter.take();
      requests.length = 0;
      await work();
      await counter.idle();
      return { counted: counter.take().get(fn)?.dynamodb ?? 0, requests: requests.filter((request) => request.fn === fn) };
    },
  };
}
