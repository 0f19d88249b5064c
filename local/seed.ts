import { hashPassword } from '../functions/adapters/crypto/password-hasher';
import type { AgentDirectory, AgentProfile } from '../functions/ports/agent-directory';
import type { CredentialStore } from '../functions/ports/credential-store';

export const DEMO_PASSWORD = 'parley-demo';

export const DEMO_AGENTS: ReadonlyArray<AgentProfile> = [
  { id: 'agent-billing', email: 'agent.billing@example.com', name: 'Billie (billing)', role: 'agent', skills: ['billing'], capacity: 3 },
  {
    id: 'agent-tech',
    email: 'agent.tech@example.com',
    name: 'Tess (billing, tech)',
    role: 'agent',
    skills: ['billing', 'tech'],
    capacity: 3,
  },
  // Manages agents (/v1/agents) and sees the queues (/v1/queues).
  { id: 'admin', email: 'admin@example.com', name: 'Ada (admin)', role: 'admin', skills: [], capacity: 1 },
  // Sees the queues and may take part in and transfer any conversation.
  { id: 'supervisor', email: 'supervisor@example.com', name: 'Sam (supervisor)', role: 'supervisor', skills: [], capacity: 3 },
];

/** Demo agents for the local stack; re-seeding replaces them with the same ids. */
export async function seedDemoAgents(directory: AgentDirectory, credentials: CredentialStore): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const agent of DEMO_AGENTS) {
    await directory.put(agent);
    // Its own partition (CREDENTIAL#<id>), which only sign-in may read.
    await credentials.setPasswordHash(agent.id, passwordHash);
  }
}
