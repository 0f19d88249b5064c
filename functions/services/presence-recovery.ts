import { absentAgentVerdict, recoveryOnHeartbeat } from '../domain/presence-recovery';
import { displayName, type User } from '../domain/identity';
import { currentClaim } from '../domain/routing-claims';
import type { AgentStatus } from '../domain/routing';
import type { ChosenStatus } from '../ports/agent-status-record';
import type { PresenceUpdate } from '../ports/agent-presence';
import { DEFAULT_CAPACITY } from './agents';
import { broadcast } from './broadcast';
import type { Ports } from './context';

/**
 * Redis is a cache, DynamoDB the record (docs/routing.md "Redis is a cache"). Every status an
 * agent chooses is recorded (agents.ts); these rebuild an agent's Redis state from that record
 * when Redis lost it (flush, eviction, failover, restart) or the sweep took a still-connected
 * agent offline.
 */

/** Name, skills and capacity from the profile (current), else from the recorded choice, else from the token. */
async function presenceUpdate(
  ports: Ports,
  agentId: string,
  status: AgentStatus,
  chosen: ChosenStatus | undefined,
  user?: User,
): Promise<PresenceUpdate> {
  const profile = await ports.agents.get(agentId);
  return {
    id: agentId,
    name: profile?.name ?? chosen?.name ?? (user ? displayName(user) : agentId),
    status,
    skills: profile?.skills ?? chosen?.skills ?? user?.skills ?? [],
    capacity: profile?.capacity ?? chosen?.capacity ?? DEFAULT_CAPACITY,
  };
}

/**
 * A staff heartbeat: refreshes presence (one Redis command). Only when that command says Redis
 * forgot the agent, or the sweep took it offline, is the record read: an agent who chose
 * online (or away) gets that status, its skills and capacity back, and hears it with a
 * `status` frame (`reason: "restored"`), with its load rebuilt from its assigned conversations;
 * otherwise it is settled as offline in Redis, so its later heartbeats cost nothing extra.
 */
export async function keepPresence(ports: Ports, user: User): Promise<void> {
  const now = ports.clock.now().toISOString();
  const seen = await ports.presence.touch(user.id, now);
  if (seen === 'known' || user.role === 'admin') return;
  const chosen = await ports.agentStatuses.get(user.id);
  const recovery = recoveryOnHeartbeat(seen, chosen?.status);
  const status = recovery.action === 'restore' ? recovery.status : 'offline';
  // Its load first, so no router sees it online with room it does not have.
  if (recovery.action === 'restore') await restoreClaims(ports, user.id, now);
  // Only over what Redis lost: a status the agent set since the record was read is newer.
  const written = await ports.presence.setStatus(await presenceUpdate(ports, user.id, status, chosen, user), now, {
    live: true,
    onlyIfForgotten: true,
  });
  if (!written || recovery.action !== 'restore') return;
  ports.log.warn('Agent presence restored from its chosen status', { agentId: user.id, seen, status });
  if (status === 'online') await ports.routingQueue.publish({ type: 'agent.available', agentId: user.id });
  await broadcast(ports, [user.id], { type: 'status', status, reason: 'restored' });
}

/** The claims of the conversations assigned to the agent (DynamoDB), added where Redis lacks them. */
async function restoreClaims(ports: Ports, agentId: string, now: string): Promise<void> {
  const assigned = await ports.conversations.listAssignedTo(agentId);
  if (assigned.length === 0) return;
  await ports.presence.repairClaims(agentId, { add: assigned.map(currentClaim), remove: [], removeBeforeMs: 0 }, now);
}

/**
 * Reconcile found an agent holding assigned conversations whom Redis holds no state for.
 * Grace (domain/presence-recovery.ts): its presence is put back from the record for one
 * grace period, which its heartbeats extend (`graced`); or it is `lost`. `changed`: the agent
 * set a status meanwhile (after the record was read), which stands and did its own routing.
 */
export async function graceForgottenAgent(ports: Ports, agentId: string): Promise<'graced' | 'lost' | 'changed'> {
  const now = ports.clock.now();
  const chosen = await ports.agentStatuses.get(agentId);
  const live = await ports.connections.listForUser(agentId, Math.floor(now.getTime() / 1000));
  if (absentAgentVerdict(chosen?.status, live.length) === 'lost' || !chosen) return 'lost';
  const update = await presenceUpdate(ports, agentId, chosen.status, chosen);
  if (!(await ports.presence.setStatus(update, now.toISOString(), { live: true, onlyIfForgotten: true }))) {
    ports.log.info('Redis had lost an agent that set a status meanwhile; that status stands', { agentId, recordedStatus: chosen.status });
    return 'changed';
  }
  ports.log.warn('Redis had lost an agent that is still connected; its presence is back for one grace period', {
    agentId,
    status: chosen.status,
  });
  return 'graced';
}
