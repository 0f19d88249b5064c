/**
 * Waiting on conditions instead of sleeping. A test that waits for a condition only gets
 * slower on a loaded machine; a test that sleeps a fixed time and then asserts can flip.
 */

export interface WaitOptions {
  /** Give up (and fail) after this long. Derive it from the work, never from how fast a quiet machine is. */
  readonly timeoutMs?: number;
  /** How often to check. */
  readonly intervalMs?: number;
  /** Names the condition in the failure. */
  readonly message?: string;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `condition` until it returns something truthy and resolves with that value; fails with
 * the last error (or value) seen once `timeoutMs` has passed. A condition that throws is
 * treated as "not yet", so it can hold expect() assertions.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`${message} not met within ${timeoutMs} ms (last: ${detail})`, { cause: last });
    }
    await pause(intervalMs);
  }
}

/**
 * Lets time pass to show that something does NOT happen. Only for quiet periods whose length
 * cannot fail a correct system on a slow machine (a slow machine can only make the check weaker).
 */
export const quietPeriod = (ms: number): Promise<void> => pause(ms);
