import type { AgentStatusRecord, ChosenStatus } from '../../../functions/ports/agent-status-record';

/** In-memory AgentStatusRecord with the adapter's rule: an older choice never replaces a newer one. */
export class FakeAgentStatusRecord implements AgentStatusRecord {
  readonly chosen = new Map<string, ChosenStatus>();

  async get(agentId: string): Promise<ChosenStatus | undefined> {
    return this.chosen.get(agentId);
  }

  async put(agentId: string, chosen: ChosenStatus): Promise<void> {
    const before = this.chosen.get(agentId);
    if (!before || before.at <= chosen.at) this.chosen.set(agentId, chosen);
  }
}
