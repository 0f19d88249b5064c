import { ForbiddenError } from '../domain/errors';
import { isStaff, type User } from '../domain/identity';
import type { AgentStatus } from '../domain/routing';
import type { Ports } from './context';

/** An agent who could take a transfer now, as the console's transfer picker shows it. */
export interface OnlineAgent {
  readonly id: string;
  readonly name: string;
  readonly status: AgentStatus;
  readonly skills: readonly string[];
  readonly load: number;
  readonly capacity: number;
  /** Below capacity: a transfer to this agent would be accepted now. */
  readonly available: boolean;
}

/** `GET /v1/agents/online`: every staff member (agents transfer too); one Redis read, ordered by name. */
export async function listOnlineAgents(ports: Ports, user: User): Promise<OnlineAgent[]> {
  if (!isStaff(user)) throw new ForbiddenError('Only staff see who is online');
  const online = await ports.presence.listOnline();
  return online
    .filter((agent) => agent.status === 'online')
    .map(({ id, name, status, skills, load, capacity }) => ({ id, name, status, skills, load, capacity, available: load < capacity }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
