/** The part of fengari's Lua C API (lua, lauxlib, lualib) that local/upstash/lua-runner.ts uses. */
declare module 'fengari' {
  type LuaState = { readonly __luaState: unique symbol };
  type LuaString = Uint8Array;
  const fengari: {
    lua: {
      LUA_OK: number;
      LUA_YIELD: number;
      LUA_REGISTRYINDEX: number;
      LUA_TNIL: number;
      LUA_TBOOLEAN: number;
      LUA_TNUMBER: number;
      LUA_TSTRING: number;
      LUA_TTABLE: number;
      lua_newthread(L: LuaState): LuaState;
      lua_resume(L: LuaState, from: LuaState | null, nargs: number): number;
      lua_gettop(L: LuaState): number;
      lua_settop(L: LuaState, index: number): void;
      lua_checkstack(L: LuaState, n: number): boolean;
      lua_pop(L: LuaState, n: number): void;
      lua_type(L: LuaState, index: number): number;
      lua_isinteger(L: LuaState, index: number): boolean;
      lua_tointeger(L: LuaState, index: number): number;
      lua_tonumber(L: LuaState, index: number): number;
      lua_toboolean(L: LuaState, index: number): boolean;
      lua_tojsstring(L: LuaState, index: number): string;
      lua_pushnil(L: LuaState): void;
      lua_pushboolean(L: LuaState, value: boolean): void;
      lua_pushinteger(L: LuaState, value: number): void;
      lua_pushnumber(L: LuaState, value: number): void;
      lua_pushstring(L: LuaState, value: LuaString): void;
      lua_createtable(L: LuaState, arrayCount: number, fieldCount: number): void;
      lua_rawseti(L: LuaState, index: number, n: number): void;
      lua_rawgeti(L: LuaState, index: number, n: number): number;
      lua_getfield(L: LuaState, index: number, key: LuaString): number;
      lua_xmove(from: LuaState, to: LuaState, n: number): void;
      lua_close(L: LuaState): void;
    };
    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_loadbuffer(L: LuaState, buffer: LuaString, size: number | null, name: LuaString): number;
      luaL_ref(L: LuaState, table: number): number;
      luaL_unref(L: LuaState, table: number, ref: number): void;
      luaL_dostring(L: LuaState, source: LuaString): number;
    };
    lualib: { luaL_openlibs(L: LuaState): void };
    to_luastring(text: string): LuaString;
  };
  export default fengari;
}
