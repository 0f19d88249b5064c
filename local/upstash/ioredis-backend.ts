import { Redis } from 'ioredis';
import { rejectionFor } from './command-policy';
import { toRedisReply } from './embedded-replies';
import type { CommandResult, RedisBackend, RedisCommand } from './redis-backend';
import { EXECABORT, asRedisErrorMessage, failure, success } from './redis-backend';

function commandParts(command: RedisCommand): { name: string; args: string[] } {
  const [name = '', ...args] = command;
  // Upper case keeps ioredis's per-command reply transformers (HGETALL -> object) out of
  // the way: they are keyed by the lower-case name and raw RESP replies are wanted here.
  return { name: name.toUpperCase(), args };
}

/** A backend that forwards commands to a real Redis server at `redisUrl`. */
export async function createIoredisBackend(redisUrl: string): Promise<RedisBackend> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  await client.connect();

  const runOne = async (command: RedisCommand): Promise<CommandResult> => {
    const rejection = rejectionFor(command[0] ?? '');
    if (rejection) return failure(rejection);
    const { name, args } = commandParts(command);
    try {
      return success(toRedisReply(await client.call(name, ...args)));
    } catch (error) {
      return failure(asRedisErrorMessage(error));
    }
  };

  return {
    run: (commands) => Promise.all(commands.map(runOne)),
    async transaction(commands) {
      if (commands.some((command) => rejectionFor(command[0] ?? '') !== undefined)) return { aborted: EXECABORT };
      const transaction = client.multi();
      for (const command of commands) {
        const { name, args } = commandParts(command);
        transaction.call(name, ...args);
      }
      try {
        const replies = await transaction.exec();
        if (!replies) return { aborted: 'EXECABORT Transaction aborted.' };
        return replies.map(([error, value]) => (error ? failure(asRedisErrorMessage(error)) : success(toRedisReply(value))));
      } catch (error) {
        return { aborted: asRedisErrorMessage(error) };
      }
    },
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
