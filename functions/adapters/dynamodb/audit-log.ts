import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../../ports/audit-log';
import { DynamoStoreError } from './errors';

/** The audit partition of a month: `AUDIT#<yyyy-mm>`, sorted by time (table-schema.ts). */
export const auditPartition = (at: string) => `AUDIT#${at.slice(0, 7)}`;

/** Audit entries as items `AUDIT#<yyyy-mm>` / `<at>#<id>`, written with a single PutItem and no TTL. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: auditPartition(entry.at), sk: `${entry.at}#${entry.id}`, ...entry },
        }),
      );
    } catch (error) {
      throw new DynamoStoreError(`PutItem audit ${entry.action} failed`, { cause: error });
    }
  }
}
