import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoClient, startDynalite } from './dynalite-server';

/** Where a local stack keeps its table: its own dynalite, or an external endpoint (DynamoDB Local). */
export interface DynamoTarget {
  readonly endpoint: string;
  readonly tableName: string;
  /** `dynalite` (the default) or `external` (DYNAMODB_ENDPOINT). */
  readonly kind: 'dynalite' | 'external';
  /** dynalite's HTTP server (absent for an external endpoint). */
  readonly server?: Server;
  close(): Promise<void>;
}

/**
 * dynalite in this process (in memory, or under `dataDir`), or the external endpoint when
 * given. An external endpoint is shared by every stack pointed at it (each test file starts
 * one), so each stack gets a table of its own there, dropped on stop; with `dataDir` it keeps
 * the base name so a restart finds its data again.
 */
export async function startDynamoTarget(options: {
  readonly externalEndpoint?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly baseTableName: string;
}): Promise<DynamoTarget> {
  if (!options.externalEndpoint) {
    const dynalite = await startDynalite({ port: 0, ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}) });
    return {
      endpoint: dynalite.endpoint,
      tableName: options.baseTableName,
      kind: 'dynalite',
      server: dynalite.server,
      close: () => dynalite.close(),
    };
  }
  const endpoint = options.externalEndpoint.replace(/\/+$/, '');
  const throwaway = !options.dataDir;
  const tableName = throwaway ? `${options.baseTableName}-${randomBytes(6).toString('hex')}` : options.baseTableName;
  return {
    endpoint,
    tableName,
    kind: 'external',
    close: async () => {
      if (!throwaway) return;
      const client = localDynamoClient(endpoint);
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } catch (error) {
        console.error(`local stack: could not drop table ${tableName} at ${endpoint}: ${(error as Error).message}`);
      } finally {
        client.destroy();
      }
    },
  };
}
