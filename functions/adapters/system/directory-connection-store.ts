import type { ConnectionDirectory } from '../../ports/connection-directory';
import type { ConnectionRecord, ConnectionStore } from '../../ports/connection-store';

export interface DirectoryWriteLog {
  warn(message: string, extra?: Record<string, unknown>): void;
}

/**
 * The connection record (DynamoDB) with the Redis directory kept beside it
 * (docs/connection-directory.md), so every writer of records keeps the directory too.
 *
 * - put: the record, then the directory. A directory that cannot be written fails the put
 *   (and the record is taken back): a known user missing a live connection would miss its
 *   pushes, while a refused `$connect` is retried by the client. `$connect` already refuses
 *   when Redis is down (its limits fail closed).
 * - remove: the record, then the directory, best effort: an entry left behind is a connection
 *   that is gone, which the next push to it answers 410 and removes (as an expired record).
 */
export class DirectoryConnectionStore implements ConnectionStore {
  constructor(
    private readonly record: ConnectionStore,
    private readonly directory: ConnectionDirectory,
    private readonly log: DirectoryWriteLog,
  ) {}

  async put(connection: ConnectionRecord): Promise<void> {
    await this.record.put(connection);
    try {
      await this.directory.add(connection);
    } catch (error) {
      await this.record.remove(connection.userId, connection.connectionId).catch((undo: unknown) => {
        this.log.warn('Could not take back a connection record the directory refused', { error: undo });
      });
      throw error;
    }
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    await this.record.remove(userId, connectionId);
    try {
      await this.directory.remove(userId, connectionId);
    } catch (error) {
      this.log.warn('Connection directory entry not removed; a push to it will remove it', { error });
    }
  }

  listForUser(userId: string, nowEpochSeconds: number): Promise<ConnectionRecord[]> {
    return this.record.listForUser(userId, nowEpochSeconds);
  }
}
