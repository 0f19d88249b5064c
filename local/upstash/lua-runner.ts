import fengari from 'fengari';
import type { RedisReply } from './redis-backend';

const { lua, lauxlib, lualib, to_luastring } = fengari;
type LuaState = ReturnType<typeof lauxlib.luaL_newstate>;

/** What a script's `redis.call` runs: one Redis command through the engine. */
export type ScriptCommandRunner = (command: readonly string[]) => Promise<RedisReply>;

/** A script failed: its own error, or a Redis error a `redis.call` raised (message as Redis gives it). */
export class LuaScriptError extends Error {
  constructor(
    message: string,
    /** A command's Redis error (`WRONGTYPE ...`), rather than the script's own. */
    readonly fromCommand: boolean,
  ) {
    super(message);
    this.name = 'LuaScriptError';
  }
}

/**
 * `redis` for scripts. `redis.call` yields the command to JavaScript (the script runs as a
 * coroutine) and gets back `ok, value`; a failed call raises (`call`) or returns an error
 * table (`pcall`), as in Redis.
 */
const REDIS_LIBRARY = `
local yield = coroutine.yield
local function run(protected, ...)
  local ok, value = yield(...)
  if ok then return value end
  if protected then return { err = value } end
  error({ err = value, __parley_command = true }, 0)
end
redis = {
  call = function(...) return run(false, ...) end,
  pcall = function(...) return run(true, ...) end,
  status_reply = function(text) return { ok = text } end,
  error_reply = function(text) return { err = text } end,
  log = function() end,
  setresp = function() end,
  replicate_commands = function() return true end,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
}
unpack = unpack or table.unpack
`;

/**
 * Lua for the embedded Redis, compiled once: one Lua state per engine, each script compiled
 * the first time its SHA is seen and kept as a function, each run a fresh coroutine given
 * KEYS and ARGV as locals. (ioredis-mock builds a new Lua state and re-parses the script on
 * every call, which cost tens of milliseconds per call.) Redis's conversion rules apply both
 * ways: nil replies become false, integers stay integers, tables become arrays up to the
 * first nil, `{ok=...}` a status and `{err=...}` an error, Lua numbers are truncated.
 */
export class LuaRunner {
  private readonly L: LuaState;
  private readonly compiled = new Map<string, number>();

  constructor(private readonly runCommand: ScriptCommandRunner) {
    this.L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(this.L);
    if (lauxlib.luaL_dostring(this.L, to_luastring(REDIS_LIBRARY)) !== lua.LUA_OK) {
      throw new Error(`the embedded Lua library failed to load: ${lua.lua_tojsstring(this.L, -1)}`);
    }
  }

  /** Runs `source` (known by its SHA1 `sha`) with KEYS and ARGV. */
  async run(sha: string, source: string, keys: readonly string[], argv: readonly string[]): Promise<RedisReply> {
    const L = this.L;
    const fn = this.compile(sha, source);
    const thread = lua.lua_newthread(L);
    const threadRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX); // anchored while it runs
    try {
      lua.lua_rawgeti(thread, lua.LUA_REGISTRYINDEX, fn);
      pushStrings(thread, keys);
      pushStrings(thread, argv);
      let status = lua.lua_resume(thread, L, 2);
      while (status === lua.LUA_YIELD) {
        const command = yieldedCommand(thread);
        lua.lua_settop(thread, 0);
        if (typeof command === 'string') {
          lua.lua_pushboolean(thread, false);
          lua.lua_pushstring(thread, to_luastring(command));
        } else {
          try {
            const reply = await this.runCommand(command);
            lua.lua_pushboolean(thread, true);
            pushReply(thread, reply);
          } catch (error) {
            lua.lua_pushboolean(thread, false);
            lua.lua_pushstring(thread, to_luastring(error instanceof Error ? error.message : String(error)));
          }
        }
        status = lua.lua_resume(thread, L, 2);
      }
      if (status !== lua.LUA_OK) throw scriptError(thread);
      return lua.lua_gettop(thread) === 0 ? null : toReply(thread, 1);
    } finally {
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, threadRef);
    }
  }

  close(): void {
    lua.lua_close(this.L);
  }

  private compile(sha: string, source: string): number {
    const known = this.compiled.get(sha);
    if (known !== undefined) return known;
    // KEYS and ARGV arrive as the chunk's arguments; on the first line, so line numbers hold.
    const chunk = to_luastring(`local KEYS, ARGV = ...; ${source}`);
    if (lauxlib.luaL_loadbuffer(this.L, chunk, null, to_luastring('@user_script')) !== lua.LUA_OK) {
      const message = lua.lua_tojsstring(this.L, -1);
      lua.lua_pop(this.L, 1);
      throw new LuaScriptError(message, false);
    }
    const ref = lauxlib.luaL_ref(this.L, lua.LUA_REGISTRYINDEX);
    this.compiled.set(sha, ref);
    return ref;
  }
}

function pushStrings(L: LuaState, values: readonly string[]): void {
  lua.lua_createtable(L, values.length, 0);
  values.forEach((value, index) => {
    lua.lua_pushstring(L, to_luastring(value));
    lua.lua_rawseti(L, -2, index + 1);
  });
}

function pushReply(L: LuaState, reply: RedisReply): void {
  if (reply === null) lua.lua_pushboolean(L, false);
  else if (typeof reply === 'number') {
    if (Number.isInteger(reply)) lua.lua_pushinteger(L, reply);
    else lua.lua_pushnumber(L, reply);
  } else if (typeof reply === 'string') lua.lua_pushstring(L, to_luastring(reply));
  else {
    lua.lua_createtable(L, reply.length, 0);
    reply.forEach((item, index) => {
      pushReply(L, item);
      lua.lua_rawseti(L, -2, index + 1);
    });
  }
}

/** The command a `redis.call` yielded, or why its arguments are not a command. */
function yieldedCommand(L: LuaState): string[] | string {
  const count = lua.lua_gettop(L);
  if (count === 0) return 'ERR Please specify at least one argument for this redis lib call';
  const command: string[] = [];
  for (let index = 1; index <= count; index++) {
    const type = lua.lua_type(L, index);
    if (type === lua.LUA_TSTRING) command.push(lua.lua_tojsstring(L, index));
    // As Redis's Lua 5.1 (doubles only) prints numbers: 121000, never 121000.0.
    else if (type === lua.LUA_TNUMBER) command.push(String(lua.lua_tonumber(L, index)));
    else return 'ERR Lua redis lib command arguments must be strings or integers';
  }
  return command;
}

function stringField(L: LuaState, index: number, name: string): string | undefined {
  lua.lua_checkstack(L, 1);
  const type = lua.lua_getfield(L, index, to_luastring(name));
  const value = type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER ? lua.lua_tojsstring(L, -1) : undefined;
  lua.lua_pop(L, 1);
  return value;
}

function scriptError(L: LuaState): LuaScriptError {
  const top = lua.lua_gettop(L);
  lua.lua_checkstack(L, 2);
  if (lua.lua_type(L, top) === lua.LUA_TTABLE) {
    const message = stringField(L, top, 'err');
    const fromCommand = lua.lua_getfield(L, top, to_luastring('__parley_command')) !== lua.LUA_TNIL;
    lua.lua_pop(L, 1);
    if (message !== undefined) return new LuaScriptError(message, fromCommand);
  }
  const type = lua.lua_type(L, top);
  return new LuaScriptError(type === lua.LUA_TSTRING || type === lua.LUA_TNUMBER ? lua.lua_tojsstring(L, top) : 'unknown error', false);
}

/** A Lua value as Redis converts a script's result. */
function toReply(L: LuaState, index: number): RedisReply {
  switch (lua.lua_type(L, index)) {
    case lua.LUA_TNUMBER:
      return lua.lua_isinteger(L, index) ? lua.lua_tointeger(L, index) : truncated(lua.lua_tonumber(L, index));
    case lua.LUA_TSTRING:
      return lua.lua_tojsstring(L, index);
    case lua.LUA_TBOOLEAN:
      return lua.lua_toboolean(L, index) ? 1 : null;
    case lua.LUA_TTABLE: {
      const absolute = index < 0 ? lua.lua_gettop(L) + index + 1 : index;
      const error = stringField(L, absolute, 'err');
      if (error !== undefined) throw new LuaScriptError(error, true);
      const status = stringField(L, absolute, 'ok');
      if (status !== undefined) return status;
      const items: RedisReply[] = [];
      lua.lua_checkstack(L, 1);
      for (let n = 1; ; n++) {
        if (lua.lua_rawgeti(L, absolute, n) === lua.LUA_TNIL) {
          lua.lua_pop(L, 1);
          break;
        }
        items.push(toReply(L, -1));
        lua.lua_pop(L, 1);
      }
      return items;
    }
    default:
      return null;
  }
}

function truncated(value: number): number | null {
  return Number.isFinite(value) ? Math.trunc(value) : null;
}
