import type { Ports } from './context';
import { broadcast } from './broadcast';
import { mapBounded } from '../shared/bounded-pool';

/** Lost agents announced at once (their triggers and `status` pushes). */
const RECONCILE_PARALLELISM = 8;

/**
 * Agents whose heartbeat presence expired go offline ($disconnect is best effort on AWS, so
 * expiry is what counts). Each gets an `agent.lost` trigger, which puts its conversations
 * back at the front of their queues, and its connections, if any still work, a `status`
 * (`reason: "lapsed"`: the server decided, the agent's chosen status stands, and its next
 * heartbeat puts that back: presence-recovery.ts).
 */
export async function sweepPresence(ports: Ports): Promise<string[]> {
  const lost = await ports.presence.sweepExpired(ports.clock.now().toISOString());
  await mapBounded(lost, RECONCILE_PARALLELISM, async (agentId) => {
    ports.log.info('Agent presence expired; the agent counts as offline', { agentId });
    await ports.routingQueue.publish({ type: 'agent.lost', agentId });
    await broadcast(ports, [agentId], { type: 'status', status: 'offline', reason: 'lapsed' });
  });
  return lost;
}
