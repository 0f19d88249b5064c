import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { staffIdProblem, type User } from '../domain/identity';
import type { AgentStatus } from '../domain/routing';
import { changeRevokesTokens, revocationCutoff } from '../domain/staff-session';
import type { AgentProfile, AgentSummary } from '../ports/agent-directory';
import type { Ports } from './context';
import { assertSkillsConfigured } from './skills';
import { revokeAgentAccess } from './staff-sessions';

export interface AgentView extends AgentSummary {
  /** Live routing state: status (offline once presence expired) and open conversations held. */
  readonly presence: { readonly status: AgentStatus; readonly load: number };
}

export interface NewAgent {
  readonly id?: string | undefined;
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly role: AgentProfile['role'];
  readonly skills: readonly string[];
  readonly capacity: number;
}

export type AgentChanges = Partial<Omit<NewAgent, 'id'>> & { readonly disabled?: boolean | undefined };

function assertAdmin(user: User): void {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins manage agents');
}

function summaryOf(profile: AgentProfile): AgentSummary {
  const { tokensValidAfter: _cutoff, ...summary } = profile;
  return summary;
}

async function viewOf(ports: Ports, summary: AgentSummary): Promise<AgentView> {
  const presence = await ports.presence.get(summary.id);
  return { ...summary, presence: { status: presence?.status ?? 'offline', load: presence?.load ?? 0 } };
}

async function existing(ports: Ports, agentId: string): Promise<AgentProfile> {
  const profile = await ports.agents.get(agentId);
  if (!profile) throw new NotFoundError(`Agent ${agentId} does not exist`);
  return profile;
}

export async function listAgents(ports: Ports, user: User): Promise<AgentView[]> {
  assertAdmin(user);
  const [roster, online] = await Promise.all([ports.agents.list(), ports.presence.listOnline()]);
  const live = new Map(online.map((agent) => [agent.id, agent]));
  // One Redis read for everyone online; the rest are offline or away (read singly, few).
  return Promise.all(
    roster.map(async (summary) => {
      const agent = live.get(summary.id);
      return agent ? { ...summary, presence: { status: agent.status, load: agent.load } } : viewOf(ports, summary);
    }),
  );
}

export async function getAgent(ports: Ports, user: User, agentId: string): Promise<AgentView> {
  assertAdmin(user);
  return viewOf(ports, summaryOf(await existing(ports, agentId)));
}

export async function createAgent(ports: Ports, user: User, input: NewAgent): Promise<AgentView> {
  assertAdmin(user);
  const id = input.id ?? `agent-${ports.ids.next().toLowerCase()}`;
  const problem = staffIdProblem(id, ports.settings.oidcIdPrefixes);
  if (problem) throw new BadRequestError(`Agent id ${id} cannot be used: ${problem}`);
  if (await ports.agents.get(id)) throw new ConflictError(`Agent ${id} already exists`);
  if (await ports.agents.findByEmail(input.email)) throw new ConflictError(`Another agent already uses ${input.email}`);
  await assertSkillsConfigured(ports, input.skills);
  const profile: AgentProfile = {
    id,
    email: input.email.toLowerCase(),
    name: input.name,
    role: input.role,
    skills: [...input.skills],
    capacity: input.capacity,
  };
  const passwordHash = await ports.passwords.hash(input.password);
  // Profile first: a refused email leaves no credential behind.
  await ports.agents.put(profile);
  await ports.credentials.setPasswordHash(id, passwordHash);
  ports.log.info('Agent created', { agentId: id, by: user.id });
  return viewOf(ports, summaryOf(profile));
}

/**
 * Changes a profile. Skills and capacity also change in Redis at once for an agent who is
 * known there, and an online agent's queues drain (it may have room or skills now).
 */
export async function updateAgent(ports: Ports, user: User, agentId: string, changes: AgentChanges): Promise<AgentView> {
  assertAdmin(user);
  const before = await existing(ports, agentId);
  if (changes.skills) await assertSkillsConfigured(ports, changes.skills);
  const revokes = changeRevokesTokens(before, changes);
  if (agentId === user.id && (changes.disabled === true || (changes.role !== undefined && changes.role !== before.role))) {
    throw new ConflictError('Admins cannot disable or demote themselves');
  }
  const { password, ...rest } = changes;
  const now = ports.clock.now();
  const profile: AgentProfile = {
    ...before,
    ...rest,
    ...(rest.email ? { email: rest.email.toLowerCase() } : {}),
    ...(rest.skills ? { skills: [...rest.skills] } : {}),
    // Every token and session issued before now stops counting (checked on each use).
    ...(revokes ? { tokensValidAfter: revocationCutoff(Math.floor(now.getTime() / 1000)) } : {}),
  };
  await ports.agents.put(profile);
  if (password) await ports.credentials.setPasswordHash(agentId, await ports.passwords.hash(password));
  if (revokes) {
    // Its sockets close and its conversations go back to the queues now, not at token expiry.
    await revokeAgentAccess(ports, profile, 'Your access was changed; sign in again');
    ports.log.info('Agent updated; its sessions are revoked', { agentId, by: user.id, fields: Object.keys(changes) });
    return viewOf(ports, summaryOf(profile));
  }
  const presence = await ports.presence.get(agentId);
  if (presence) {
    // Not the agent acting: its presence is left to expire or be refreshed by its heartbeats.
    await ports.presence.setStatus(
      { id: agentId, name: profile.name, status: presence.status, skills: profile.skills, capacity: profile.capacity },
      ports.clock.now().toISOString(),
      { live: false },
    );
    if (presence.status === 'online') await ports.routingQueue.publish({ type: 'agent.available', agentId });
  }
  ports.log.info('Agent updated', { agentId, by: user.id, fields: Object.keys(changes) });
  return viewOf(ports, summaryOf(profile));
}

/**
 * Deletes the profile; its tokens stop counting, its sockets close, the agent goes offline
 * and its open conversations go back to the queue.
 */
export async function deleteAgent(ports: Ports, user: User, agentId: string): Promise<{ deleted: string }> {
  assertAdmin(user);
  const profile = await existing(ports, agentId);
  if (profile.id === user.id) throw new ConflictError('Admins cannot delete themselves');
  await ports.agents.remove(agentId);
  await ports.credentials.remove(agentId);
  // Without a profile its tokens and sessions no longer count; its sockets close now.
  await revokeAgentAccess(ports, profile, 'Your account was deleted');
  ports.log.info('Agent deleted', { agentId, by: user.id });
  return { deleted: agentId };
}
