import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../../functions/shared/bounded-pool';

/** A task that finishes only when released, so the test sees how many run at once. */
function gate() {
  let running = 0;
  let peak = 0;
  const waiting: Array<() => void> = [];
  return {
    get peak() {
      return peak;
    },
    get waiting() {
      return waiting.length;
    },
    async run<T>(value: T): Promise<T> {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running--;
      return value;
    },
    releaseAll() {
      for (const release of waiting.splice(0)) release();
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mapBounded', () => {
  it('never runs more than the limit at once and keeps the results in order', async () => {
    const tasks = gate();
    const done = mapBounded([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, (n) => tasks.run(n * 10));
    while (true) {
      await tick();
      if (tasks.waiting === 0) break;
      expect(tasks.waiting).toBeLessThanOrEqual(3);
      tasks.releaseAll();
    }
    expect(await done).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(tasks.peak).toBe(3);
  });

  it('runs every item even when one fails, then throws the first failure', async () => {
    const seen: number[] = [];
    const run = mapBounded([1, 2, 3, 4], 2, async (n) => {
      seen.push(n);
      if (n === 2) throw new Error('two failed');
      return n;
    });
    await expect(run).rejects.toThrow('two failed');
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
  });

  it('refuses a limit that is not a whole number of at least 1', async () => {
    await expect(mapBounded([1], 0, async (n) => n)).rejects.toThrow(RangeError);
    expect(await mapBounded([], 4, async (n) => n)).toEqual([]);
  });
});
