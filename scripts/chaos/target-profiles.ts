import type { ExternalTarget } from './chaos-target';

/**
 * Named external stacks for `npm run chaos -- --target NAME`. `local` is a separate
 * `npm start` on its default ports (its demo admin creates the run's staff).
 */
export const TARGET_PROFILES: Readonly<Record<string, ExternalTarget>> = {
  local: { httpUrl: 'http://127.0.0.1:3000', wsUrl: 'ws://127.0.0.1:3001/local' },
};
