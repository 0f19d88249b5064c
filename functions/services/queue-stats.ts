import { ForbiddenError } from '../domain/errors';
import type { User } from '../domain/identity';
import { servesSkill } from '../domain/routing';
import type { Ports } from './context';

/** Queued conversations read to find skills with someone waiting that no agent lists. */
const WAITING_SAMPLE = 500;

export interface QueueStats {
  readonly skill: string;
  /** Conversations waiting. */
  readonly depth: number;
  /** How long the head of the queue has waited (0 when empty). */
  readonly oldestWaitSeconds: number;
  /** Agents online (with live presence) who serve the skill. */
  readonly agentsOnline: number;
  /** Of those, the ones with spare capacity. */
  readonly agentsAvailable: number;
  readonly averageHandleSeconds: number;
}

/** GET /v1/queues for supervisors and admins: one row per skill, the default skill first. */
export async function listQueues(ports: Ports, user: User): Promise<{ queues: QueueStats[]; generatedAt: string }> {
  if (user.role !== 'supervisor' && user.role !== 'admin') throw new ForbiddenError('Only supervisors and admins see the queues');
  const defaultSkill = ports.settings.defaultSkill;
  const [online, roster, waiting] = await Promise.all([
    ports.presence.listOnline(),
    ports.agents.list(),
    ports.conversations.listByStatus('queued', WAITING_SAMPLE),
  ]);
  const others = new Set([...roster.flatMap((agent) => agent.skills), ...waiting.map((conversation) => conversation.skill)]);
  others.delete(defaultSkill);
  const skills = [defaultSkill, ...[...others].sort()];
  const now = ports.clock.now();
  const queues = await Promise.all(
    skills.map(async (skill): Promise<QueueStats> => {
      const [depth, head, outlook] = await Promise.all([
        ports.conversations.countQueued(skill),
        ports.conversations.listQueued(skill, 1),
        ports.presence.outlook(skill),
      ]);
      const oldest = head[0]?.queuedAt ?? head[0]?.createdAt;
      const serving = online.filter((agent) => servesSkill(agent, skill, defaultSkill));
      return {
        skill,
        depth,
        oldestWaitSeconds: oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(oldest)) / 1000)) : 0,
        agentsOnline: serving.length,
        agentsAvailable: serving.filter((agent) => agent.load < agent.capacity).length,
        averageHandleSeconds: outlook.averageHandleSeconds,
      };
    }),
  );
  return { queues, generatedAt: now.toISOString() };
}
