import { createHash } from 'node:crypto';
import type { Emulation, MockAccess } from './embedded-access';
import { RedisCommandError, parseRedisInteger, wrongArgumentCount } from './embedded-access';
import { LuaScriptError } from './lua-runner';
import { withoutShebang } from './script-shebang';
import type { RedisReply } from './redis-backend';

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** The key count after checking it against the arguments (`EVAL script numkeys key... arg...`). */
function checkKeyCount(name: string, args: readonly string[]): number {
  if (args.length < 2) throw wrongArgumentCount(name);
  const keyCount = parseRedisInteger(args[1]);
  if (keyCount < 0) throw new RedisCommandError("ERR Number of keys can't be negative");
  if (keyCount > args.length - 2) throw new RedisCommandError("ERR Number of keys can't be greater than number of args");
  return keyCount;
}

async function runScript(engine: MockAccess, sha: string, source: string, args: readonly string[], keyCount: number): Promise<RedisReply> {
  const rest = args.slice(2);
  try {
    // A shebang line (`#!lua flags=...`) only carries flags for Redis's scheduler.
    return await engine.runScript(sha, withoutShebang(source), rest.slice(0, keyCount), rest.slice(keyCount));
  } catch (error) {
    if (error instanceof LuaScriptError) {
      // A command's error reaches the caller as Redis gives it; the script's own is wrapped.
      throw new RedisCommandError(error.fromCommand ? error.message : `ERR Error running script: ${error.message}`);
    }
    throw error;
  }
}

const evalScript: Emulation = async (engine, args) => {
  const keyCount = checkKeyCount('eval', args);
  const [script = ''] = args;
  const sha = sha1(script);
  engine.scripts[sha] = script;
  return runScript(engine, sha, script, args, keyCount);
};

const evalSha: Emulation = async (engine, args) => {
  const keyCount = checkKeyCount('evalsha', args);
  const sha = (args[0] ?? '').toLowerCase();
  const script = engine.scripts[sha];
  if (script === undefined) throw new RedisCommandError('NOSCRIPT No matching script. Please use EVAL.');
  return runScript(engine, sha, script, args, keyCount);
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
