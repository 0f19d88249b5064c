import { hashPassword } from '../functions/adapters/crypto/password-hasher';
import type { AgentDirectory, AgentProfile } from '../functions/ports/agent-directory';
import type { BusinessHours } from '../functions/domain/business-hours';
import type { CredentialStore } from '../functions/ports/credential-store';
import type { HoursStore } from '../functions/ports/hours-store';

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

const OFFICE_DAY = [{ from: '09:00', to: '17:00' }];
const WHOLE_DAY = [{ from: '00:00', to: '24:00' }];

/**
 * Demo business hours: billing keeps office hours in Berlin and shows the offline form when
 * closed, so a newcomer sees both states over a week; tech answers around the clock and
 * queues. No `_default`: every other skill is always open.
 */
export const DEMO_HOURS: Readonly<Record<string, BusinessHours>> = {
  billing: {
    timeZone: 'Europe/Berlin',
    weekly: { mon: OFFICE_DAY, tue: OFFICE_DAY, wed: OFFICE_DAY, thu: OFFICE_DAY, fri: OFFICE_DAY },
    closed: [],
    behaviour: 'form',
  },
  tech: {
    timeZone: 'UTC',
    weekly: { mon: WHOLE_DAY, tue: WHOLE_DAY, wed: WHOLE_DAY, thu: WHOLE_DAY, fri: WHOLE_DAY, sat: WHOLE_DAY, sun: WHOLE_DAY },
    closed: [],
    behaviour: 'queue',
  },
};

export async function seedDemoHours(hours: HoursStore, now: string): Promise<void> {
  for (const [skill, schedule] of Object.entries(DEMO_HOURS)) await hours.put(skill, schedule, { by: 'seed', now });
}
