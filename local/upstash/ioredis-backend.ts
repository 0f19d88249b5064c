import { Redis } from 'ioredis';
import { rejectionFor } from './command-policy';
import { toRedisReply } from './embedded-replies';
import type { CommandResult, RedisBackend, RedisCommand } from './redis-backend';
import { EXECABORT, asRedisErrorMessage, failure, success } from './redis-backend';
import type { RedisHealthReporter } from './redis-health-reporter';
import { sha1, withRedisFlags } from './script-shebang';

/**
 * Scripts whose shebang flags had to be rewritten for Redis (see script-shebang.ts), by the
 * SHA1 of the source the client sent: EVALSHA with that SHA runs the rewritten source.
 */
type RewrittenScripts = Map<string, string>;

function translateScripts(name: string, args: string[], rewritten: RewrittenScripts): { name: string; args: string[] } {
  const [first = '', ...rest] = args;
  if ((name === 'EVAL' || name === 'EVAL_RO') && args.length > 0) {
    const source = withRedisFlags(first);
    if (source !== first) rewritten.set(sha1(first), source);
    return { name, args: [source, ...rest] };
  }
  if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && rewritten.has(first.toLowerCase())) {
    return { name: name === 'EVALSHA' ? 'EVAL' : 'EVAL_RO', args: [rewritten.get(first.toLowerCase())!, ...rest] };
  }
  if (name === 'SCRIPT' && first.toLowerCase() === 'load' && rest.length === 1) {
    const source = withRedisFlags(rest[0]!);
    if (source !== rest[0]) rewritten.set(sha1(rest[0]!), source);
    return { name, args: [first, source] };
  }
  return { name, args };
}

function commandParts(command: RedisCommand, rewritten: RewrittenScripts): { name: string; args: string[] } {
  const [name = '', ...args] = command;
  // Upper case keeps ioredis's per-command reply transformers (HGETALL -> object) out of
  // the way: they are keyed by the lower-case name and raw RESP replies are wanted here.
  return translateScripts(name.toUpperCase(), args, rewritten);
}

/** SCRIPT LOAD answers with the SHA1 of the source the client sent, as Upstash does. */
function replyFor(command: RedisCommand, reply: unknown): unknown {
  const [name = '', subcommand = '', source] = command;
  const isLoad = name.toUpperCase() === 'SCRIPT' && subcommand.toLowerCase() === 'load' && source !== undefined;
  return isLoad ? sha1(source) : reply;
}

/**
 * A backend that forwards commands to a real Redis server at `redisUrl`. While Redis is away
 * ioredis reconnects and emits an error per attempt; `health` turns those into one notice when
 * it goes and one when it is back (unlistened, each would print as an unhandled error event).
 */
export async function createIoredisBackend(redisUrl: string, health: RedisHealthReporter): Promise<RedisBackend> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  let closing = false;
  client.on('error', (error: Error) => {
    if (!closing) health.unreachable(error.message);
  });
  client.on('close', () => {
    if (!closing) health.unreachable('connection closed');
  });
  client.on('ready', () => health.back());
  await client.connect();
  const rewritten: RewrittenScripts = new Map();

  const runOne = async (command: RedisCommand): Promise<CommandResult> => {
    const rejection = rejectionFor(command[0] ?? '');
    if (rejection) return failure(rejection);
    const { name, args } = commandParts(command, rewritten);
    try {
      return success(toRedisReply(replyFor(command, await client.call(name, ...args))));
    } catch (error) {
      return failure(asRedisErrorMessage(error));
    }
  };

  return {
    run: (commands) => Promise.all(commands.map(runOne)),
    flushAll: async () => {
      await client.flushall();
    },
    async transaction(commands) {
      if (commands.some((command) => rejectionFor(command[0] ?? '') !== undefined)) return { aborted: EXECABORT };
      const transaction = client.multi();
      for (const command of commands) {
        const { name, args } = commandParts(command, rewritten);
        transaction.call(name, ...args);
      }
      try {
        const replies = await transaction.exec();
        if (!replies) return { aborted: 'EXECABORT Transaction aborted.' };
        return replies.map(([error, value], index) =>
          error ? failure(asRedisErrorMessage(error)) : success(toRedisReply(replyFor(commands[index]!, value))),
        );
      } catch (error) {
        return { aborted: asRedisErrorMessage(error) };
      }
    },
    close: async () => {
      closing = true;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
