import type { RoutingOptions } from './routing-traffic';

/** Faults on the stack itself during a run (each at an evenly spaced point of the traffic). */
export interface StackFaults {
  /** FLUSHALL on the Redis (every key lost, as an Upstash reset, eviction or failover). */
  readonly redisFlushes: number;
  /** Redis unreachable for `redisKillSeconds`, then back. */
  readonly redisKills: number;
  readonly redisKillSeconds: number;
  /** The local stack stopped and started again on the same ports, DynamoDB kept on disk. */
  readonly restarts: number;
}

export const NO_STACK_FAULTS: StackFaults = { redisFlushes: 0, redisKills: 0, redisKillSeconds: 10, restarts: 0 };

export type ScheduledKind = 'redis-flush' | 'redis-kill' | 'restart' | 'status-flip' | 'offline';

export interface ScheduledEvent {
  readonly kind: ScheduledKind;
  /** Fires once this many sends have been accepted. */
  readonly at: number;
}

/**
 * Every stack fault and agent-wide routing change of a run, in a seeded random order, at evenly
 * spaced points between the first and the last send (never at either end, so each one lands in
 * traffic and the run has traffic after it).
 */
export function scheduleEvents(
  faults: StackFaults,
  routing: RoutingOptions | undefined,
  messages: number,
  random: () => number,
): ScheduledEvent[] {
  const kinds: ScheduledKind[] = [
    ...Array<ScheduledKind>(faults.redisFlushes).fill('redis-flush'),
    ...Array<ScheduledKind>(faults.redisKills).fill('redis-kill'),
    ...Array<ScheduledKind>(faults.restarts).fill('restart'),
    ...Array<ScheduledKind>(routing?.statusFlips ?? 0).fill('status-flip'),
    ...Array<ScheduledKind>(routing?.offlines ?? 0).fill('offline'),
  ];
  for (let index = kinds.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [kinds[index], kinds[other]] = [kinds[other]!, kinds[index]!];
  }
  return kinds.map((kind, index) => ({ kind, at: Math.floor(((index + 1) * messages) / (kinds.length + 1)) }));
}
