import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The entry point (routes.ts `name`) whose invocation is running, as Lambda would know it
 * from the function's role. The local stack runs every invocation inside `runAsEntry`.
 */
const scope = new AsyncLocalStorage<string>();

export function runAsEntry<T>(entryName: string, work: () => T): T {
  return scope.run(entryName, work);
}

/** The running entry point, or undefined outside an invocation (stack setup, tests' own reads). */
export function currentEntry(): string | undefined {
  return scope.getStore();
}
