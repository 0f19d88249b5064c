import { monotonicFactory } from 'ulid';
import type { Clock, IdGenerator } from '../../ports/clock';

export const systemClock: Clock = { now: () => new Date() };

/** ULIDs: time-ordered, so ids sort by creation (queues, histories). */
export function ulidGenerator(): IdGenerator {
  const next = monotonicFactory();
  return { next: () => next() };
}
