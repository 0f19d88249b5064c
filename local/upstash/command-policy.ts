/**
 * Commands that only make sense on a dedicated connection (blocking, subscriptions,
 * connection state, transactions outside /multi-exec) and that Upstash's REST API does
 * not serve on its shared endpoint either.
 */
const CONNECTION_BOUND_COMMANDS = new Set([
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'monitor',
  'quit',
  'reset',
  'select',
  'swapdb',
  'auth',
  'hello',
  'client',
  'shutdown',
  'sync',
  'psync',
  'replicaof',
  'slaveof',
  'debug',
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'connect',
  'disconnect',
]);

/** An error message when `name` may not run over REST, otherwise undefined. */
export function rejectionFor(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (CONNECTION_BOUND_COMMANDS.has(lower)) {
    return `ERR Command is not available over the REST API: '${lower}'`;
  }
  return undefined;
}
