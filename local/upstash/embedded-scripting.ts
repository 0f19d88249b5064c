import { createHash } from 'node:crypto';
import type { Emulation, MockAccess } from './embedded-access';
import { RedisCommandError, parseRedisInteger, wrongArgumentCount } from './embedded-access';
import { luaResultToRedisReply } from './embedded-replies';
import { withoutShebang } from './script-shebang';
import type { RedisReply } from './redis-backend';

/**
 * ioredis-mock's Lua bridge differs from Redis in two ways that real scripts trip over:
 * `redis.call` returns JS arrays as userdata in which a missing value is a truthy JS null
 * (Redis gives a Lua table with `false`), and a table built by assignment is returned as
 * nil because the bridge expects the key order of a table constructor. The prelude turns
 * call results into plain Lua tables and rebuilds the returned table in constructor order,
 * so scripts written for Redis run unchanged.
 */
const PRELUDE = `
local function __parley_table(v)
  if type(v) ~= 'userdata' then return v end
  local ok, n = pcall(function() return #v end)
  if not ok then return false end
  local out = {}
  for i = 1, n do out[i] = __parley_table(v[i]) end
  return out
end
local __parley_call, __parley_pcall = redis.call, redis.pcall
redis.call = function(...) return __parley_table(__parley_call(...)) end
redis.pcall = function(...) return __parley_table(__parley_pcall(...)) end
local function __parley_result(v)
  if type(v) ~= 'table' then return v end
  local n = #v
  if n == 0 then return v end
  local out = {}
  for i = n, 1, -1 do out[i] = __parley_result(v[i]) end
  return out
end
`;

/**
 * The script as the mock runs it: Parley's prelude around the caller's source. A shebang
 * line (`#!lua flags=...`) only carries flags for Redis's scheduler, so it is dropped.
 */
function forMock(source: string): string {
  return `${PRELUDE}\nreturn __parley_result((function()\n${withoutShebang(source)}\nend)())`;
}

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
  engine.scripts[sha1(script)] = forMock(script);
  return runScript(engine, 'eval', [forMock(script), ...args.slice(1)]);
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
      engine.scripts[digest] = forMock(source);
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
