import type { Conversation } from '../domain/conversation';
import type { Ports } from './context';

const secondsBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

/**
 * An assignment ends a queued period (`QueueWait`, from when it entered the queue) and, the
 * first time, the wait from start to an agent (`TimeToAssignment`).
 */
export function recordAssignment(ports: Pick<Ports, 'metrics'>, queued: Conversation, assigned: Conversation, now: string): void {
  ports.metrics.seconds('QueueWait', secondsBetween(queued.queuedAt ?? queued.createdAt, now));
  if (assigned.firstAssignedAt === now) ports.metrics.seconds('TimeToAssignment', secondsBetween(assigned.createdAt, now));
}

/** The first message of any agent in a conversation ends the wait for a first response. */
export function recordFirstResponse(ports: Pick<Ports, 'metrics'>, before: Conversation, now: string): void {
  if (before.lastAgentSeq === undefined) ports.metrics.seconds('FirstResponse', secondsBetween(before.createdAt, now));
}
