import type { Role } from '../../domain/identity';
import type { ConnectionsLookup } from '../../ports/connection-directory';
import type { ConnectionRecord } from '../../ports/connection-store';

/**
 * The connection directory's entries as the Lua scripts store and return them
 * (scripts.ts DIRECTORY_ROW, docs/connection-directory.md), shared by every adapter whose
 * command reads them: the directory's own, and the router's claim (agent-presence.ts).
 */

/** How long an unknown user's fill may take before another reader may start one. */
export const FILL_WINDOW_MS = 10_000;

/** The directory's value for a connection: what broadcast and forgetGoneConnection read. */
export const encodeEntry = (connection: Pick<ConnectionRecord, 'role' | 'connectedAt' | 'expiresAt'>): string =>
  `${connection.role}|${connection.connectedAt}|${connection.expiresAt}`;

export function decodeEntry(userId: string, connectionId: string, value: string): ConnectionRecord | undefined {
  const [role, connectedAt, expiresAt] = value.split('|');
  const expires = Number(expiresAt);
  if (!role || !connectedAt || !Number.isFinite(expires)) return undefined;
  return { connectionId, userId, role: role as Role, connectedAt, expiresAt: expires };
}

/** DIRECTORY_ROW rows: the users they name, in order, and what each row says of its user. */
export function connectionsOfRows(rows: readonly unknown[][]): ConnectionsLookup & { readonly users: readonly string[] } {
  const known = new Map<string, ConnectionRecord[]>();
  const fillTokens = new Map<string, string>();
  const users: string[] = [];
  for (const row of rows) {
    const userId = String(row[0]);
    users.push(userId);
    if (Number(row[1]) === 1) {
      const connections: ConnectionRecord[] = [];
      for (let index = 2; index + 1 < row.length; index += 2) {
        const entry = decodeEntry(userId, String(row[index]), String(row[index + 1]));
        if (entry) connections.push(entry);
      }
      known.set(userId, connections);
    } else if (typeof row[2] === 'string' && row[2]) {
      fillTokens.set(userId, row[2]);
    }
  }
  return { known, fillTokens, users };
}
