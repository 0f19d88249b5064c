import { createHash } from 'node:crypto';
import type { Emulation, MockAccess } from './embedded-access';
import { RedisCommandError, parseRedisInteger, wrongArgumentCount } from './embedded-access';
import { luaResultToRedisReply } from './embedded-replies';
import type { RedisReply } from './redis-backend';

const MOCK_LUA_ERROR_PREFIX = 'Error trying to loading or executing lua code string in VM: ';

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

function checkKeyCount(name: string, args: readonly string[]): void {
  if (args.length < 2) throw wrongArgumentCount(name);
  const keyCount = parseRedisInteger(args[1]);
  if (keyCount < 0) throw new RedisCommandError("ERR Number of keys can't be negative");
  if (keyCount > args.length - 2) throw new RedisCommandError("ERR Number of keys can't be greater than number of args");
}

async function runScript(engine: MockAccess, name: 'eval' | 'evalsha', args: readonly string[]): Promise<RedisReply> {
  try {
    return luaResultToRedisReply(await engine.call(name, args));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith(MOCK_LUA_ERROR_PREFIX)) {
      throw new RedisCommandError(`ERR Error running script: ${message.slice(MOCK_LUA_ERROR_PREFIX.length)}`);
    }
    throw error;
  }
}

const evalScript: Emulation = async (engine, args) => {
  checkKeyCount('eval', args);
  const [script = ''] = args;
  engine.scripts[sha1(script)] = script;
  return runScript(engine, 'eval', args);
};

const evalSha: Emulation = async (engine, args) => {
  checkKeyCount('evalsha', args);
  const sha = (args[0] ?? '').toLowerCase();
  if (!(sha in engine.scripts)) throw new RedisCommandError('NOSCRIPT No matching script. Please use EVAL.');
  return runScript(engine, 'evalsha', [sha, ...args.slice(1)]);
};

/** SCRIPT LOAD / EXISTS / FLUSH over the engine's script cache (ioredis-mock lacks SCRIPT). */
const script: Emulation = async (engine, args) => {
  const subcommand = (args[0] ?? '').toLowerCase();
  switch (subcommand) {
    case 'load': {
      if (args.length !== 2) throw wrongArgumentCount('script|load');
      const source = args[1] ?? '';
      const digest = sha1(source);
      engine.scripts[digest] = source;
      return digest;
    }
    case 'exists':
      if (args.length < 2) throw wrongArgumentCount('script|exists');
      return args.slice(1).map((digest) => (digest.toLowerCase() in engine.scripts ? 1 : 0));
    case 'flush':
      for (const digest of Object.keys(engine.scripts)) delete engine.scripts[digest];
      return 'OK';
    default:
      throw new RedisCommandError(`ERR unknown subcommand '${args[0] ?? ''}'. Try SCRIPT HELP.`);
  }
};

export const scriptingEmulations: Readonly<Record<string, Emulation>> = {
  eval: evalScript,
  evalsha: evalSha,
  // The embedded engine has no write protection to enforce, so read-only variants alias.
  eval_ro: evalScript,
  evalsha_ro: evalSha,
  script,
};
