import { EmbeddedRedisEngine } from './embedded-engine';
import type { CommandResult, RedisBackend, RedisCommand } from './redis-backend';
import { EXECABORT, asRedisErrorMessage, failure, success } from './redis-backend';
import { SerialQueue } from './serial-queue';

async function runOne(engine: EmbeddedRedisEngine, command: RedisCommand): Promise<CommandResult> {
  try {
    return success(await engine.execute(command));
  } catch (error) {
    return failure(asRedisErrorMessage(error));
  }
}

/**
 * The in-process backend. Requests are serialised so a transaction (and each emulated
 * command's read-then-write) runs without interleaving, like Redis's single thread.
 */
export function createEmbeddedBackend(): RedisBackend {
  const engine = new EmbeddedRedisEngine();
  const queue = new SerialQueue();
  const runAll = async (commands: readonly RedisCommand[]): Promise<CommandResult[]> => {
    const results: CommandResult[] = [];
    for (const command of commands) results.push(await runOne(engine, command));
    return results;
  };
  return {
    run: (commands) => queue.run(() => runAll(commands)),
    transaction: (commands) =>
      queue.run(async () => {
        const rejected = commands.some((command) => engine.precheck(command) !== undefined);
        return rejected ? { aborted: EXECABORT } : runAll(commands);
      }),
    flushAll: () => queue.run(() => engine.flushAll()),
    close: async () => engine.close(),
  };
}
