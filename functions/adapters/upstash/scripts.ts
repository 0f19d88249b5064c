/**
 * Lua run atomically inside Redis, so a routing decision reads and claims in one command.
 * Sets of online agents: `<prefix>online:<skill>` per skill and `<prefix>online:*` for all.
 */

/** KEYS[1] agent hash. ARGV: id, name, status, skills (comma-separated), capacity, now, prefix. */
export const SET_STATUS = `
local key, id, prefix = KEYS[1], ARGV[1], ARGV[7]
local old = redis.call('HGET', key, 'skills')
if old then
  for skill in string.gmatch(old, '[^,]+') do redis.call('SREM', prefix .. 'online:' .. skill, id) end
end
redis.call('SREM', prefix .. 'online:*', id)
redis.call('HSET', key, 'name', ARGV[2], 'status', ARGV[3], 'skills', ARGV[4], 'capacity', ARGV[5], 'seenAt', ARGV[6])
redis.call('HSETNX', key, 'load', 0)
redis.call('HSETNX', key, 'idleSince', ARGV[6])
if ARGV[3] == 'online' then
  for skill in string.gmatch(ARGV[4], '[^,]+') do redis.call('SADD', prefix .. 'online:' .. skill, id) end
  redis.call('SADD', prefix .. 'online:*', id)
end
return 1
`;

/** KEYS[1] online set. ARGV[1] agent key prefix. Returns [id, name, status, skills, load, capacity, idleSince][]. */
export const LIST_ONLINE = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('HMGET', ARGV[1] .. id, 'name', 'status', 'skills', 'load', 'capacity', 'idleSince')
  out[#out + 1] = { id, v[1] or '', v[2] or '', v[3] or '', v[4] or '0', v[5] or '0', v[6] or '' }
end
return out
`;

/** KEYS[1] agent hash. ARGV[1] now. Takes one unit of capacity if online and below capacity. */
export const CLAIM = `
local v = redis.call('HMGET', KEYS[1], 'status', 'load', 'capacity')
if v[1] ~= 'online' then return 0 end
if tonumber(v[2] or '0') >= tonumber(v[3] or '0') then return 0 end
redis.call('HINCRBY', KEYS[1], 'load', 1)
redis.call('HSET', KEYS[1], 'idleSince', ARGV[1])
return 1
`;

/** KEYS[1] agent hash. ARGV[1] now. Gives one unit back, never below zero. */
export const RELEASE = `
local load = tonumber(redis.call('HGET', KEYS[1], 'load') or '0')
if load > 0 then redis.call('HINCRBY', KEYS[1], 'load', -1) end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'idleSince', ARGV[1]) end
return 1
`;
