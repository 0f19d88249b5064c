import { describe, expect, it, vi } from 'vitest';
import { StallError, withinStall } from '../../scripts/chaos/stall-error';

/** Every wait of a chaos run is bounded: a promise that never settles ends the run with a report. */
describe('withinStall', () => {
  it('answers what the work answers when it settles in time', async () => {
    await expect(withinStall(Promise.resolve(7), 1_000, 'seven')).resolves.toBe(7);
    await expect(withinStall(Promise.reject(new Error('refused')), 1_000, 'a refusal')).rejects.toThrow('refused');
  });

  it('rejects with a StallError naming the wait when the work never settles', async () => {
    vi.useFakeTimers();
    try {
      const never = new Promise<never>(() => undefined);
      const waiting = withinStall(never, 60_000, "a disposed client's start to be acked");
      const outcome = expect(waiting).rejects.toThrow(/no answer in 60 s: a disposed client's start to be acked/);
      await vi.advanceTimersByTimeAsync(60_001);
      await outcome;
      await expect(waiting).rejects.toBeInstanceOf(StallError);
    } finally {
      vi.useRealTimers();
    }
  });
});
