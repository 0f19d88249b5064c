/**
 * Time budgets derived from the work, for a loaded 2-core CI box (load 15-20). A wait or
 * timeout is the number of steps it covers times what one step may take there, so budgets
 * grow with the work instead of being guessed from how fast a quiet machine is. They only
 * bound failures: a passing run never waits for them.
 */

/** One step: an HTTP request, a WebSocket frame and its reply, a browser poll. */
export const STEP_MS = 10_000;
/** Starting a whole local stack (dynalite, SQS, Upstash, gateway, web build). */
export const STACK_START_MS = 90_000;

/** A budget for `steps` sequential steps plus any fixed waits (grace periods and the like). */
export const budget = (steps: number, extraMs = 0): number => steps * STEP_MS + extraMs;
