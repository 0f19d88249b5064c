/**
 * Redis is a cache, DynamoDB the record (docs/routing.md "Redis is a cache"), free of I/O:
 * what to do when Redis no longer knows an agent its record and live signals still vouch for.
 */
import type { AgentStatus } from './routing';

/**
 * What a heartbeat found in Redis: `known` (the normal case), `unknown` (Redis holds nothing
 * for the agent: it was flushed, evicted, failed over or restarted) or `lapsed` (the presence
 * sweep took the agent offline after its heartbeats stopped; the agent did not choose it).
 */
export type PresenceSeen = 'known' | 'unknown' | 'lapsed';

export type HeartbeatRecovery =
  /** Nothing to do: Redis knows the agent. */
  | { readonly action: 'none' }
  /** Put the agent's status, skills and capacity back in Redis, as it last chose them. */
  | { readonly action: 'restore'; readonly status: Exclude<AgentStatus, 'offline'> }
  /** Nothing to restore: record the agent as offline in Redis so later heartbeats cost nothing extra. */
  | { readonly action: 'settle-offline' };

/**
 * An agent whose heartbeat arrives is alive: if Redis forgot it (or the sweep took it
 * offline), it gets back the status it chose last (online or away); an agent who chose
 * offline, or never chose, stays offline.
 */
export function recoveryOnHeartbeat(seen: PresenceSeen, chosen: AgentStatus | undefined): HeartbeatRecovery {
  if (seen === 'known') return { action: 'none' };
  if (chosen === 'online' || chosen === 'away') return { action: 'restore', status: chosen };
  return { action: 'settle-offline' };
}

/**
 * Reconcile met an agent holding assigned conversations that Redis holds no state for.
 * `grace`: the record says the agent chose online or away and a connection of its is live,
 * so Redis forgot it rather than the agent leaving: its presence is put back for one grace
 * period, which its heartbeats extend; if they never come, the presence sweep takes it
 * offline then. `lost`: nothing vouches for it; its conversations go back to their queues now.
 */
export function absentAgentVerdict(chosen: AgentStatus | undefined, liveConnections: number): 'grace' | 'lost' {
  return (chosen === 'online' || chosen === 'away') && liveConnections > 0 ? 'grace' : 'lost';
}
