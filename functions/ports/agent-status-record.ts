import type { AgentStatus } from '../domain/routing';

/**
 * The status an agent last chose with a `status` frame, kept durably (DynamoDB) so Redis can
 * be rebuilt from it after losing its data (docs/routing.md "Redis is a cache"). Name,
 * skills and capacity are those the status was set with: the profile is read first when
 * rebuilding; these serve staff who have no profile (an outside issuer's tokens).
 */
export interface ChosenStatus {
  readonly status: AgentStatus;
  readonly name: string;
  readonly skills: readonly string[];
  readonly capacity: number;
  /** When the agent chose it (ISO). */
  readonly at: string;
}

export interface AgentStatusRecord {
  get(agentId: string): Promise<ChosenStatus | undefined>;
  /** One single-item write per status change; the last write wins. */
  put(agentId: string, chosen: ChosenStatus): Promise<void>;
}
