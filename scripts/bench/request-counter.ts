import { AsyncLocalStorage } from 'node:async_hooks';
import type { LambdaHandler } from '../../local/gateway/lambda-handler';
import { addUnits, NO_UNITS, type WriteUnits } from './write-capacity';

/** Which Lambda function is running, carried through every await of its invocation. */
const currentFunction = new AsyncLocalStorage<string>();

export type Service = 'dynamodb' | 'sqs' | 'managementApi' | 'redis';
export const SERVICES: readonly Service[] = ['dynamodb', 'sqs', 'managementApi', 'redis'];

type Counts = Map<string, Record<Service, number>>;
/** Per function, per service, requests by SDK command name (e.g. dynamodb: { GetItemCommand: 1 }). */
export type CommandCounts = Map<string, Partial<Record<Service, Record<string, number>>>>;
/** Per function, DynamoDB write capacity by SDK command name (scripts/bench/write-capacity-meter.ts). */
export type WriteCapacity = Record<string, WriteUnits>;

/**
 * Counts AWS requests with SDK middleware and Redis commands at the Upstash client's fetch,
 * attributed to the function that made them. One instance per benchmark process.
 */
export class RequestCounter {
  private counts: Counts = new Map();
  private commands: CommandCounts = new Map();
  private capacity = new Map<string, WriteCapacity>();
  private active = 0;
  private invocationCounts = new Map<string, { invocations: number; records: number }>();

  /** For LocalStackOptions.instrument: runs each invocation inside its function's scope. */
  readonly instrument = (functionName: string, handler: LambdaHandler): LambdaHandler => {
    return async (event, context) => {
      const row = this.invocationCounts.get(functionName) ?? { invocations: 0, records: 0 };
      row.invocations++;
      // An SQS batch's records (the router's triggers); one for any other event.
      const records = (event as { Records?: unknown }).Records;
      row.records += Array.isArray(records) ? records.length : 1;
      this.invocationCounts.set(functionName, row);
      this.active++;
      try {
        return await currentFunction.run(functionName, () => handler(event, context));
      } finally {
        this.active--;
      }
    };
  };

  record(service: Service, amount = 1, command?: string): void {
    const fn = currentFunction.getStore() ?? '(outside a handler)';
    const row = this.counts.get(fn) ?? { dynamodb: 0, sqs: 0, managementApi: 0, redis: 0 };
    row[service] += amount;
    this.counts.set(fn, row);
    if (command === undefined) return;
    const byService = this.commands.get(fn) ?? {};
    const byCommand = byService[service] ?? {};
    byCommand[command] = (byCommand[command] ?? 0) + amount;
    byService[service] = byCommand;
    this.commands.set(fn, byService);
  }

  /** The write capacity one DynamoDB write request used (WriteCapacityMeterOptions.record). */
  readonly recordWriteUnits = (command: string, units: WriteUnits): void => {
    const fn = currentFunction.getStore() ?? '(outside a handler)';
    const byCommand = this.capacity.get(fn) ?? {};
    byCommand[command] = addUnits(byCommand[command] ?? NO_UNITS, units);
    this.capacity.set(fn, byCommand);
  };

  /** Items a batch request carried, by command (not requests: the counts stay per request). */
  private recordItems(service: Service, command: string, items: number): void {
    const fn = currentFunction.getStore() ?? '(outside a handler)';
    const byService = this.commands.get(fn) ?? {};
    const byCommand = byService[service] ?? {};
    byCommand[command] = (byCommand[command] ?? 0) + items;
    byService[service] = byCommand;
    this.commands.set(fn, byService);
  }

  /** Adds a counting step to an AWS SDK v3 client's middleware stack. */
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client's middleware stack has its own input types.
  attach(client: { middlewareStack: { add: (...args: any[]) => void } }, service: Service): void {
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        // By command too: the cost model (scripts/cost) prices reads and writes differently.
        this.record(service, 1, context.commandName);
        // A batch is billed per item: its items are counted beside it as `<command>:items`.
        const items = batchItems(args);
        if (items !== undefined && context.commandName) this.recordItems(service, `${context.commandName}:items`, items);
        return next(args);
      },
      // Per attempt: retries are requests too.
      { step: 'finalizeRequest', name: `parleyBenchCounter-${service}`, priority: 'low' },
    );
    // A client with `cacheMiddleware` (functions/wiring/context.ts) keeps the stacks it resolved
    // before: dropped, so commands already sent count from now on too.
    (client as { handlers?: unknown }).handlers = undefined;
  }

  /** Wraps fetch so commands sent to the Upstash endpoint are counted (a pipeline counts each command). */
  countUpstashCommands(upstashUrl: string): () => void {
    const original = globalThis.fetch;
    globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith(upstashUrl) && typeof init?.body === 'string') {
        const body = JSON.parse(init.body) as unknown[];
        const pipelined = /\/(pipeline|multi-exec)$/.test(new URL(url).pathname);
        this.record('redis', pipelined ? body.length : 1);
      }
      return original(input, init);
    };
    return () => {
      globalThis.fetch = original;
    };
  }

  get inFlight(): number {
    return this.active;
  }

  /**
   * Resolves once no instrumented invocation has run for `checks` looks `everyMs` apart: the
   * router and the events consumer run after a reply, and one may pick up a trigger between looks.
   */
  async idle(checks = 3, everyMs = 30): Promise<void> {
    for (let quiet = 0; quiet < checks; ) {
      await new Promise((resolve) => setTimeout(resolve, everyMs));
      quiet = this.active === 0 ? quiet + 1 : 0;
    }
  }

  /** Invocations (and the records they were given) per function since the last call. */
  takeInvocations(): Map<string, { invocations: number; records: number }> {
    const counts = this.invocationCounts;
    this.invocationCounts = new Map();
    return counts;
  }

  take(): Counts {
    const counts = this.counts;
    this.counts = new Map();
    this.commands = new Map();
    this.capacity = new Map();
    return counts;
  }

  /**
   * Like take(), with each function's requests by command name beside its totals, and its
   * write capacity by command when a meter was attached.
   */
  takeDetailed(): Map<
    string,
    { counts: Record<Service, number>; commands: Partial<Record<Service, Record<string, number>>>; capacity?: WriteCapacity }
  > {
    const commands = this.commands;
    const capacity = this.capacity;
    const counts = this.take();
    const functions = new Set([...counts.keys(), ...capacity.keys()]);
    return new Map(
      [...functions].map((fn) => {
        const units = capacity.get(fn);
        const row = counts.get(fn) ?? { dynamodb: 0, sqs: 0, managementApi: 0, redis: 0 };
        return [fn, { counts: row, commands: commands.get(fn) ?? {}, ...(units ? { capacity: units } : {}) }];
      }),
    );
  }
}

/**
 * The items a DynamoDB BatchWriteItem or BatchGetItem request carries (each is billed as its
 * own read or write), undefined for any other request.
 */
export function batchItems(args: unknown): number | undefined {
  const requestItems = (args as { input?: { RequestItems?: unknown } } | undefined)?.input?.RequestItems;
  if (typeof requestItems !== 'object' || requestItems === null) return undefined;
  let items = 0;
  for (const perTable of Object.values(requestItems as Record<string, unknown>)) {
    if (Array.isArray(perTable)) items += perTable.length;
    else if (typeof perTable === 'object' && perTable !== null && Array.isArray((perTable as { Keys?: unknown }).Keys))
      items += (perTable as { Keys: unknown[] }).Keys.length;
  }
  return items;
}
