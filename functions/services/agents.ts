import { ForbiddenError } from '../domain/errors';
import { displayName } from '../domain/identity';
import type { StatusFrame } from '../protocol/client-frames';
import type { ServerFrame } from '../protocol/server-frames';
import { announceSkills } from './availability-announcements';
import { broadcast } from './broadcast';
import type { Caller, Ports } from './context';

/** Capacity for staff who have no stored profile (e.g. signed in through an outside issuer). */
export const DEFAULT_CAPACITY = 3;

/**
 * `status`: only `online` agents are routed new conversations. Going online publishes
 * `agent.available` so the agent's queues drain at once; going offline publishes
 * `agent.lost`, so its open conversations go back to the front of their queues. `away`
 * keeps them. Setting a status also refreshes the agent's presence. The choice is recorded
 * in DynamoDB, where Redis presence is rebuilt from (presence-recovery.ts).
 */
export async function setStatus(ports: Ports, caller: Caller, frame: StatusFrame): Promise<ServerFrame> {
  const { user } = caller;
  if (user.role !== 'agent' && user.role !== 'supervisor') {
    throw new ForbiddenError('Only agents and supervisors have a status');
  }
  const profile = await ports.agents.get(user.id);
  const now = ports.clock.now().toISOString();
  const skills = profile?.skills ?? user.skills;
  const chosen = {
    name: profile?.name ?? displayName(user),
    status: frame.status,
    skills,
    capacity: profile?.capacity ?? DEFAULT_CAPACITY,
  };
  // The record first: Redis is a cache, rebuilt from this when it loses the agent (presence-recovery.ts).
  await ports.agentStatuses.put(user.id, { ...chosen, at: now });
  await ports.presence.setStatus({ id: user.id, ...chosen }, now, { live: true });
  // The agents online for the agent's skills changed: their waiting customers hear it live.
  await announceSkills(ports, [...skills, ports.settings.defaultSkill]);
  if (frame.status === 'online') await ports.routingQueue.publish({ type: 'agent.available', agentId: user.id });
  if (frame.status === 'offline') await ports.routingQueue.publish({ type: 'agent.lost', agentId: user.id });
  const echo: ServerFrame = { type: 'status', status: frame.status };
  await broadcast(ports, [user.id], echo, { ...(caller.connectionId ? { exceptConnectionId: caller.connectionId } : {}) });
  return echo;
}
