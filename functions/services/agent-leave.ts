import { shouldGoAway } from '../domain/agent-leave';
import { isStaff, type User } from '../domain/identity';
import { broadcast } from './broadcast';
import type { Ports } from './context';

const nowSeconds = (ports: Ports) => Math.floor(ports.clock.now().getTime() / 1000);

/**
 * After a staff connection ended: if it was the user's last one, the router hears
 * `agent.left` once the leave grace has passed (an SQS delay), so a reload within the
 * grace changes nothing. Admins have no routing status.
 */
export async function noteConnectionEnded(ports: Ports, user: Pick<User, 'id' | 'role'>): Promise<void> {
  if (!isStaff(user) || user.role === 'admin') return;
  const disconnectedAt = ports.clock.now().toISOString();
  const remaining = await ports.connections.listForUser(user.id, nowSeconds(ports));
  if (remaining.length > 0) return;
  await ports.routingQueue.publish(
    { type: 'agent.left', agentId: user.id, disconnectedAt },
    { delaySeconds: ports.settings.agentLeaveGraceSeconds },
  );
}

/**
 * `agent.left`, after the grace: an agent still online with no connection opened since the
 * disconnect goes away (no new chats; its conversations stay until presence expires, as
 * `away` always did). Its remaining connections, if any, hear the new status. True when it
 * was moved.
 */
export async function awayIfStillGone(ports: Ports, agentId: string, disconnectedAt: string): Promise<boolean> {
  const agent = await ports.presence.get(agentId);
  if (!agent) return false;
  const connections = await ports.connections.listForUser(agentId, nowSeconds(ports));
  if (!shouldGoAway(agent.status, connections, disconnectedAt)) return false;
  // Not `live`: the agent is not acting, so its presence keeps expiring as before.
  await ports.presence.setStatus(
    { id: agent.id, name: agent.name, status: 'away', skills: agent.skills, capacity: agent.capacity },
    ports.clock.now().toISOString(),
    { live: false },
  );
  ports.log.info('Agent left: away after the leave grace', { agentId, disconnectedAt });
  await broadcast(ports, [agentId], { type: 'status', status: 'away' });
  return true;
}
