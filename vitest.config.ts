import { defineConfig } from 'vitest/config';
import { budget, STACK_START_MS } from './test/support/budget.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file in its own process: the local stack and the handlers' wiring are per process.
    pool: 'forks',
    // Defaults for the small tests; tests and setups with more work set budgets from it
    // (test/support/budget.ts), and a setup can always start a whole local stack.
    testTimeout: budget(3),
    hookTimeout: STACK_START_MS,
    // The machine has two cores; integration files each start a whole local stack.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
