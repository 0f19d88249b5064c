import type { Role } from '../domain/identity';

export interface ConnectionRecord {
  readonly connectionId: string;
  readonly userId: string;
  readonly role: Role;
  readonly connectedAt: string;
  /** Epoch seconds after which the record is stale (and DynamoDB's TTL removes it). */
  readonly expiresAt: number;
  /** The expiry (epoch seconds) of the token the connection was opened with. */
  readonly tokenExpiresAt?: number | undefined;
  /** The staff session whose token opened the connection (signing out closes it). */
  readonly sessionId?: string | undefined;
}

export interface ConnectionStore {
  put(connection: ConnectionRecord): Promise<void>;
  remove(userId: string, connectionId: string): Promise<void>;
  /** The user's live connections (stale ones are filtered out). */
  listForUser(userId: string, nowEpochSeconds: number): Promise<ConnectionRecord[]>;
}
