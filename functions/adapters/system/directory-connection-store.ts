import type { ConnectionDirectory } from '../../ports/connection-directory';
import type { ConnectionRecord, ConnectionStore } from '../../ports/connection-store';

const MAX_REMEMBERED_TOKENS = 1_000;

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
      const token = await this.directory.add(connection);
      if (token) this.rememberToken(connection.userId, token);
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

  /**
   * The record's answer. Right after a put of an unknown user (`$connect`'s cap check), the
   * Query follows the put's token, so its answer fills the directory: the user's pushes need
   * no Query from then on.
   */
  async listForUser(userId: string, nowEpochSeconds: number): Promise<ConnectionRecord[]> {
    const token = this.tokens.get(userId);
    this.tokens.delete(userId);
    const connections = await this.record.listForUser(userId, nowEpochSeconds);
    if (token) {
      await this.directory.fillUsers([{ userId, token, connections }]).catch((error: unknown) => {
        this.log.warn('Connection directory not filled at connect; the first push reads the record', { error });
      });
    }
    return connections;
  }

  /** Tokens of this container's puts of unknown users, taken by the next listForUser of the user. */
  private readonly tokens = new Map<string, string>();

  private rememberToken(userId: string, token: string): void {
    // A put whose caller never lists is harmless (the token expires in Redis): only bound the memory.
    if (this.tokens.size >= MAX_REMEMBERED_TOKENS) this.tokens.clear();
    this.tokens.set(userId, token);
  }
}
