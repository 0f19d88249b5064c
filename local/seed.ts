import { hashPassword } from '../functions/adapters/crypto/password-hasher';
import type { AgentDirectory, AgentProfile } from '../functions/ports/agent-directory';

export const DEMO_PASSWORD = 'parley-demo';

export const DEMO_AGENTS: ReadonlyArray<Omit<AgentProfile, 'passwordHash'>> = [
  { id: 'agent-billing', email: 'agent.billing@example.com', name: 'Billie (billing)', role: 'agent', skills: ['billing'], capacity: 3 },
  { id: 'agent-tech', email: 'agent.tech@example.com', name: 'Tess (billing, tech)', role: 'agent', skills: ['billing', 'tech'], capacity: 3 },
];

/** Demo agents for the local stack; re-seeding replaces them with the same ids. */
export async function seedDemoAgents(directory: AgentDirectory): Promise<void> {
  for (const agent of DEMO_AGENTS) {
    await directory.put({ ...agent, passwordHash: await hashPassword(DEMO_PASSWORD) });
  }
}
