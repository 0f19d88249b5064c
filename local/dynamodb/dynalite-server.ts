import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TTL_ATTRIBUTE, createTableInput } from '../../functions/adapters/dynamodb/table-schema';
import { withEachDynaliteStore } from './dynalite-store-hooks';
import { keepStoreLean } from './dynalite-store-memory';
import { cacheTableDescriptions } from './dynalite-table-cache';

export interface DynaliteServer {
  readonly endpoint: string;
  readonly port: number;
  /** The HTTP server behind the endpoint (the local stack also serves its own clients with it in memory). */
  readonly server: Server;
  close(): Promise<void>;
}

/** dynalite in memory, or in `path` (LevelDB) when data should survive restarts. */
export async function startDynalite(options: { port: number; host?: string; path?: string }): Promise<DynaliteServer> {
  if (options.path) await mkdir(options.path, { recursive: true });
  // Item requests read the table's description from memory (dynalite-table-cache.ts); stored
  // records and finished reads hold no more memory than they need (dynalite-store-memory.ts).
  const server = withEachDynaliteStore(
    () => dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path ? { path: options.path } : {}) }),
    cacheTableDescriptions,
    keepStoreLean,
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Creates Parley's table (with TTL) unless it exists. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'existed';
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }),
    );
  } catch (error) {
    // dynalite does not implement TTL; records are also filtered by expiry when read.
    if (!(error instanceof Error) || !/UnknownOperation|not supported/i.test(`${error.name} ${error.message}`)) throw error;
  }
  return 'created';
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}
