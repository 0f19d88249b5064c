/**
 * Agents who leave, free of I/O: when an agent's last connection ends, it goes `away` after a
 * grace unless it came back. Only an agent still `online` is moved (an explicit `away` or
 * `offline` stays as chosen), and only if no connection opened at or after the disconnect: a
 * record older than it is one whose `$disconnect` never ran, which must not keep it online.
 */
import type { AgentStatus } from './routing';

export function shouldGoAway(
  status: AgentStatus | undefined,
  connections: readonly { readonly connectedAt: string }[],
  disconnectedAt: string,
): boolean {
  if (status !== 'online') return false;
  const leftAt = Date.parse(disconnectedAt);
  return !connections.some((connection) => Date.parse(connection.connectedAt) >= leftAt);
}
