import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { wireRequestOf } from '../../local/iam/table-request';
import {
  addUnits,
  type Item,
  METERED_WRITES,
  NO_UNITS,
  refusedWriteUnitsOf,
  type WriteUnits,
  writeUnitsOf,
  writtenKeysOf,
} from './write-capacity';

export interface WriteCapacityMeterOptions {
  /** Reads an item as it stands (strongly consistent) with a client this meter does not watch. */
  readonly read: (tableName: string, key: Item) => Promise<Item | undefined>;
  /** Told the capacity of each write request that DynamoDB accepted or refused by its condition. */
  readonly record: (command: string, units: WriteUnits) => void;
}

const MIDDLEWARE_NAME = 'parleyBenchWriteCapacity';

/** Reads with `client` (not the watched one): the meter's own reads are neither metered nor counted. */
export function consistentReader(client: DynamoDBClient): WriteCapacityMeterOptions['read'] {
  return async (tableName, key) => {
    const { Item: item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key as never, ConsistentRead: true }));
    return item as Item | undefined;
  };
}

/**
 * Meters the write capacity of every write `client` sends (scripts/bench/write-capacity.ts):
 * reads each written item just before and just after the request and prices the change.
 * Metered writes run one at a time, so another write cannot land between a write's reads and
 * be counted as its change: for counting steps, not for timing. Returns the detach.
 */
export function attachWriteCapacityMeter(client: DynamoDBClient, options: WriteCapacityMeterOptions): () => void {
  let previous: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = previous.then(work, work);
    previous = run.catch(() => undefined);
    return run;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const wire = wireRequestOf(args.request);
      if (!wire || !(METERED_WRITES as readonly string[]).includes(wire.operation)) return next(args);
      const command = context.commandName ?? wire.operation;
      const keys = writtenKeysOf(wire.operation, wire.body);
      return oneAtATime(async () => {
        const before = await Promise.all(keys.map(({ tableName, key }) => options.read(tableName, key)));
        try {
          const result = await next(args);
          const after = await Promise.all(keys.map(({ tableName, key }) => options.read(tableName, key)));
          options.record(command, keys.map((_, i) => writeUnitsOf(before[i], after[i])).reduce(addUnits, NO_UNITS));
          return result;
        } catch (error) {
          // A refused condition is billed; a request DynamoDB rejected outright is not.
          if ((error as { name?: string }).name === 'ConditionalCheckFailedException')
            options.record(command, refusedWriteUnitsOf(before[0]));
          throw error;
        }
      });
    },
    // Per attempt, beside the request counter: a retried write is billed again.
    { step: 'finalizeRequest', name: MIDDLEWARE_NAME, priority: 'low' },
  );
  // The client may keep the handler stacks it resolved before (functions/wiring/context.ts).
  (client as unknown as { handlers?: unknown }).handlers = undefined;
  return () => {
    client.middlewareStack.remove(MIDDLEWARE_NAME);
    (client as unknown as { handlers?: unknown }).handlers = undefined;
  };
}
