/** A Redis reply as the Upstash REST API carries it in JSON. */
export type RedisReply = string | number | null | RedisReply[];

export type CommandResult = { readonly ok: true; readonly value: RedisReply } | { readonly ok: false; readonly error: string };

/** One Redis command: name first, then arguments, all strings. */
export type RedisCommand = readonly string[];

/** Where the Upstash endpoint runs commands: the embedded engine or a real Redis. */
export interface RedisBackend {
  /** Runs commands in order; each one succeeds or fails on its own (a pipeline). */
  run(commands: readonly RedisCommand[]): Promise<CommandResult[]>;
  /** Drops every key, as an Upstash reset, eviction or failover would: a chaos fault. */
  flushAll(): Promise<void>;
  /**
   * MULTI/EXEC: the commands run atomically. A command rejected before execution (unknown,
   * not allowed) aborts the whole transaction with an EXECABORT error; runtime errors
   * are reported per command, as in Redis.
   */
  transaction(commands: readonly RedisCommand[]): Promise<CommandResult[] | { readonly aborted: string }>;
  close(): Promise<void>;
}

export const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

export function success(value: RedisReply): CommandResult {
  return { ok: true, value };
}

export function failure(error: string): CommandResult {
  return { ok: false, error };
}

/** Redis error replies start with an upper-case code; plain messages get the generic ERR. */
export function asRedisErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z][A-Z_]+ /.test(message) ? message : `ERR ${message}`;
}
