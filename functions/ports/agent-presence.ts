import type { PresenceSeen } from '../domain/presence-recovery';
import type { ConnectionsLookup } from './connection-directory';
import type { AgentAvailability, AgentStatus } from '../domain/routing';

export interface PresenceUpdate {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus;
  readonly skills: readonly string[];
  readonly capacity: number;
}

/** What the router needs to tell a waiting customer where they stand. */
export interface QueueOutlook {
  /** Agents online (with live presence) who serve the skill. */
  readonly agentsServing: number;
  /** Mean of the skill's recent handling times, in seconds (domain/queue.ts). */
  readonly averageHandleSeconds: number;
}

export interface ClaimOutcome extends QueueOutlook {
  /** The agent whose capacity is now held for the claim; absent when nobody eligible had room. */
  readonly agent?: { readonly id: string; readonly name: string };
  /** True when an earlier run had already made this very claim (SQS redelivery, crash repair). */
  readonly reused: boolean;
  /**
   * With `readConnectionsOf` and an agent: the connection directory's entries of that agent and
   * of those users, read in the same command (docs/connection-directory.md), for the
   * assignment's pushes. Absent: the caller reads the record.
   */
  readonly connections?: ConnectionsLookup;
}

/** One agent's routing state as reconciliation sees it. */
export interface AgentClaims {
  readonly id: string;
  readonly status: AgentStatus;
  /** False when Redis holds no state for the agent (its data was lost), only claims or its id. */
  readonly known: boolean;
  readonly capacity: number;
  /** Claim name to the time it was made (epoch ms). */
  readonly claims: ReadonlyMap<string, number>;
}

/**
 * Hot routing state (Upstash Redis): agents' status, skills and capacity, heartbeat presence
 * that expires by itself, and the capacity claims (domain/routing-claims.ts) that make up
 * each agent's load. Each method is one Redis command (one Lua script where it reads and writes).
 */
export interface AgentPresence {
  /**
   * Sets status, skills and capacity; `live` also refreshes the heartbeat presence. With
   * `onlyIfForgotten` (rebuilding state Redis lost from a record read a moment earlier) it
   * writes only while Redis still holds no status for the agent, or only the sweep's lapsed
   * one: a status the agent set since wins. Says whether it wrote.
   */
  setStatus(update: PresenceUpdate, now: string, options?: { live?: boolean; onlyIfForgotten?: boolean }): Promise<boolean>;
  /**
   * Refreshes the agent's presence (heartbeat); it expires after the grace period. Says, in
   * the same command, whether Redis still knows the agent (domain/presence-recovery.ts).
   */
  touch(agentId: string, now: string): Promise<PresenceSeen>;
  get(agentId: string): Promise<AgentAvailability | undefined>;
  /** Every agent online with live presence. */
  listOnline(): Promise<AgentAvailability[]>;
  outlook(skill: string): Promise<QueueOutlook>;
  /**
   * Claims capacity on the best eligible agent for the skill (domain/routing.ts order), or
   * returns the agent that already holds this claim.
   */
  claimBest(skill: string, claim: string, now: string, options?: { readonly readConnectionsOf?: readonly string[] }): Promise<ClaimOutcome>;
  /** Claims capacity on one named agent, if online, live and below capacity. */
  claimAgent(agentId: string, claim: string, now: string): Promise<boolean>;
  /**
   * Gives a claim back (idempotent). With `handled`, records the handling time of a closed
   * conversation for the skill's ETA, once per claim.
   */
  release(agentId: string, claim: string, now: string, handled?: { skill: string; seconds: number }): Promise<boolean>;
  /** Marks every online agent whose presence expired as offline (since `now`, when given); returns their ids. */
  sweepExpired(now?: string): Promise<string[]>;
  /** Every agent known to Redis, with its claims. */
  snapshot(): Promise<AgentClaims[]>;
  /**
   * Adds missing claims and removes stale ones made before `removeBeforeMs` (younger claims
   * may belong to a router still between its claim and its write). Returns what changed.
   */
  repairClaims(
    agentId: string,
    changes: { add: readonly string[]; remove: readonly string[]; removeBeforeMs: number },
    now: string,
  ): Promise<{ added: number; removed: number }>;
}
