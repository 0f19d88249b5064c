import { beforeAll, beforeEach } from 'vitest';

export { budget, STACK_START_MS, STEP_MS } from './budget';

/**
 * beforeAll whose failure (or timeout) fails every test in scope. Vitest reports the tests of
 * a failed beforeAll as skipped, which hides a broken setup in the counts; here the error is
 * kept and rethrown by each test's beforeEach, so each one fails with it.
 */
export function beforeAllOrFail(setup: () => Promise<void>, timeoutMs: number): void {
  let failure: unknown;
  beforeAll(async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        setup(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`setup did not finish within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
    }
  }, timeoutMs + 5_000);
  beforeEach(() => {
    if (failure) throw failure;
  });
}
