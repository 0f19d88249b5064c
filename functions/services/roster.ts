import { type ConversationSummary, toSummary } from '../domain/conversation';
import { ForbiddenError } from '../domain/errors';
import type { User } from '../domain/identity';
import type { AgentAvailability, AgentStatus } from '../domain/routing';
import type { AgentSummary } from '../ports/agent-directory';
import type { Ports } from './context';

/** One agent (or supervisor) as the roster shows it: profile, live routing state and the chats it holds. */
export interface RosterEntry {
  readonly id: string;
  readonly name: string;
  readonly role: AgentSummary['role'];
  readonly skills: readonly string[];
  readonly capacity: number;
  readonly disabled: boolean;
  /** `offline` once presence lapsed, whatever was last set. */
  readonly status: AgentStatus;
  /** When the status last changed (ISO); absent when unknown. */
  readonly statusSince?: string;
  /** Capacity units held (Redis); may run ahead of `conversations` while a chat is being assigned. */
  readonly load: number;
  /** Conversations assigned to the agent now, oldest assignment first. */
  readonly conversations: readonly ConversationSummary[];
}

function assertCanSeeRoster(user: User): void {
  if (user.role !== 'supervisor' && user.role !== 'admin') throw new ForbiddenError('Only supervisors and admins see the roster');
}

/**
 * `GET /v1/roster`: every agent and supervisor (admins have no routing status) with status,
 * load and current conversations. Three reads whatever the team's size (the profile list,
 * Redis' online agents, the `assigned` partition of byStatus), plus one Redis read per
 * agent not online. No Scan.
 */
export async function getRoster(ports: Ports, user: User): Promise<{ agents: RosterEntry[]; generatedAt: string }> {
  assertCanSeeRoster(user);
  const [profiles, online, assigned] = await Promise.all([
    ports.agents.list(),
    ports.presence.listOnline(),
    ports.conversations.listAllAssigned(),
  ]);
  const live = new Map(online.map((agent) => [agent.id, agent]));
  const held = new Map<string, ConversationSummary[]>();
  const byAssignment = [...assigned].sort((a, b) => (a.assignedAt ?? a.updatedAt).localeCompare(b.assignedAt ?? b.updatedAt));
  for (const conversation of byAssignment) {
    const agentId = conversation.agent?.id;
    if (agentId) held.set(agentId, [...(held.get(agentId) ?? []), toSummary(conversation)]);
  }
  const staff = profiles.filter((profile) => profile.role !== 'admin');
  const agents = await Promise.all(
    staff.map(async (profile): Promise<RosterEntry> => {
      const presence: AgentAvailability | undefined = live.get(profile.id) ?? (await ports.presence.get(profile.id));
      return {
        id: profile.id,
        name: profile.name,
        role: profile.role,
        skills: profile.skills,
        capacity: profile.capacity,
        disabled: profile.disabled === true,
        status: presence?.status ?? 'offline',
        ...(presence?.statusSince ? { statusSince: presence.statusSince } : {}),
        load: presence?.load ?? 0,
        conversations: held.get(profile.id) ?? [],
      };
    }),
  );
  agents.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { agents, generatedAt: ports.clock.now().toISOString() };
}
