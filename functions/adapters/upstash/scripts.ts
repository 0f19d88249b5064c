/**
 * Lua run atomically inside Redis, so every routing read-modify-write is one command. They
 * run unchanged on Upstash, a real Redis and the local embedded engine (keywords in upper
 * case, no status tables, no nil holes in returned arrays).
 *
 * Keys under the prefix P:
 *   P agent:<id>    hash: name, status, skills (comma-separated), capacity, idleSince,
 *                   statusSince (when the status last changed, for the supervisors' roster),
 *                   lapsed ('1' while offline because the sweep found its presence expired)
 *   P alive:<id>    heartbeat presence, expires after the grace period (PX)
 *   P held:<id>     hash: claim name -> epoch ms it was made; the agent's load is its length
 *   P online:<skill> / P online:*   agents whose status is online, per skill and all of them
 *   P agents        every agent id ever seen (reconciliation walks it)
 *   P aht:<skill>   recent handling times in seconds, newest first
 */

/** Shared Lua: is an agent's presence live, and is it online with live presence. */
const LIVE = `
local function alive(prefix, id)
  return redis.call('EXISTS', prefix .. 'alive:' .. id) == 1
end
local function live(prefix, id, status)
  return status == 'online' and alive(prefix, id)
end
`;

/** Shared Lua: sum and count of the skill's recent handling times. */
const HANDLING = `
local function handling(prefix, skill)
  local total, count = 0, 0
  for _, seconds in ipairs(redis.call('LRANGE', prefix .. 'aht:' .. skill, 0, -1)) do
    total = total + (tonumber(seconds) or 0)
    count = count + 1
  end
  return total, count
end
`;

/**
 * Shared Lua: one user's directory entry (docs/connection-directory.md). A known user (its hash
 * has '#'): { user, 1, connectionId, value, ... }. An unknown one: { user, 0, token } when this
 * read took the one fill in flight (SET NX), else { user, 0, '' }.
 */
const DIRECTORY_ROW = `
local function directoryRow(prefix, user, token, fillTtl)
  local entry = redis.call('HGETALL', prefix .. 'dir:' .. user)
  local row, known = { user, 1 }, false
  for j = 1, #entry, 2 do
    if entry[j] == '#' then
      known = true
    else
      row[#row + 1] = entry[j]
      row[#row + 1] = entry[j + 1]
    end
  end
  if known then return row end
  if redis.call('SET', prefix .. 'dirp:' .. user, token, 'NX', 'PX', fillTtl) then return { user, 0, token } end
  return { user, 0, '' }
end
`;

/**
 * KEYS[1] agent hash. ARGV: id, name, status, skills, capacity, now, prefix, graceMs,
 * live ('1' refreshes presence: the agent itself is acting), onlyIfForgotten ('1': write only
 * while the hash has no status, or the sweep's lapsed one). Returns 1 when written, else 0.
 */
export const SET_STATUS = `${LIVE}
local key, id, prefix = KEYS[1], ARGV[1], ARGV[7]
-- Rebuilding from the record (ARGV[10]): a status set since Redis lost the agent wins.
if ARGV[10] == '1' then
  local seen = redis.call('HMGET', key, 'status', 'lapsed')
  if seen[1] and seen[2] ~= '1' then return 0 end
end
local old = redis.call('HGET', key, 'skills')
-- An agent whose presence lapsed was offline, whatever its hash still says.
local was = redis.call('HGET', key, 'status')
if not alive(prefix, id) then was = 'offline' end
if was ~= ARGV[3] or redis.call('HEXISTS', key, 'statusSince') == 0 then redis.call('HSET', key, 'statusSince', ARGV[6]) end
if old then
  for skill in string.gmatch(old, '[^,]+') do redis.call('SREM', prefix .. 'online:' .. skill, id) end
end
redis.call('SREM', prefix .. 'online:*', id)
redis.call('HSET', key, 'name', ARGV[2], 'status', ARGV[3], 'skills', ARGV[4], 'capacity', ARGV[5])
redis.call('HDEL', key, 'lapsed')
redis.call('HSETNX', key, 'idleSince', ARGV[6])
redis.call('SADD', prefix .. 'agents', id)
if ARGV[9] == '1' then redis.call('SET', prefix .. 'alive:' .. id, ARGV[6], 'PX', ARGV[8]) end
if ARGV[3] == 'online' then
  for skill in string.gmatch(ARGV[4], '[^,]+') do redis.call('SADD', prefix .. 'online:' .. skill, id) end
  redis.call('SADD', prefix .. 'online:*', id)
end
return 1
`;

/**
 * KEYS[1] agent hash. ARGV: prefix, id, now, graceMs. The heartbeat: refreshes presence and
 * says whether Redis still knows the agent: 'known', 'unknown' (no hash: Redis lost it) or
 * 'lapsed' (the sweep took it offline when its presence expired).
 */
export const TOUCH = `
local prefix, id = ARGV[1], ARGV[2]
redis.call('SET', prefix .. 'alive:' .. id, ARGV[3], 'PX', ARGV[4])
local v = redis.call('HMGET', KEYS[1], 'status', 'lapsed')
if not v[1] then return 'unknown' end
if v[2] == '1' then return 'lapsed' end
return 'known'
`;

/** KEYS[1] agent hash. ARGV: prefix, id. Returns [name, status, skills, capacity, idleSince, load, alive, statusSince]. */
export const AGENT_VIEW = `${LIVE}
local prefix, id = ARGV[1], ARGV[2]
local v = redis.call('HMGET', KEYS[1], 'name', 'status', 'skills', 'capacity', 'idleSince', 'statusSince')
local load = redis.call('HLEN', prefix .. 'held:' .. id)
return { v[1] or '', v[2] or '', v[3] or '', v[4] or '0', v[5] or '', load, alive(prefix, id) and 1 or 0, v[6] or '' }
`;

/** KEYS[1] the online:* set. ARGV[1] prefix. Returns [id, name, skills, load, capacity, idleSince, statusSince][] of live agents. */
export const LIST_ONLINE = `${LIVE}
local prefix = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('HMGET', prefix .. 'agent:' .. id, 'name', 'status', 'skills', 'capacity', 'idleSince', 'statusSince')
  if live(prefix, id, v[2]) then
    out[#out + 1] = { id, v[1] or '', v[3] or '', redis.call('HLEN', prefix .. 'held:' .. id), v[4] or '0', v[5] or '', v[6] or '' }
  end
end
return out
`;

/** KEYS[1] the skill's online set. ARGV: prefix, skill. Returns [agentsServing, handledTotal, handledCount]. */
export const OUTLOOK = `${LIVE}${HANDLING}
local prefix, skill = ARGV[1], ARGV[2]
local serving = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if live(prefix, id, redis.call('HGET', prefix .. 'agent:' .. id, 'status')) then serving = serving + 1 end
end
local total, count = handling(prefix, skill)
return { serving, total, count }
`;

/**
 * KEYS[1] the skill's online set. ARGV: prefix, claim, now (ISO), nowMs, skill.
 * If a live agent already holds the claim, answers that agent (reused). Otherwise claims on
 * the best live agent below capacity: lowest load/capacity (cross-multiplied), then idle
 * longest, then lowest id, the order of domain/routing.ts compareCandidates.
 * Returns [agentId or '', name, reused (0|1), agentsServing, handledTotal, handledCount].
 * With ARGV[6] (a fill token), ARGV[7] (fillTtlMs) and users from ARGV[8] on, an answer naming
 * an agent also carries, as its seventh element, the directory rows (DIRECTORY_ROW) of that
 * agent and of those users: the assignment's recipients, read in the same command.
 */
export const CLAIM_BEST = `${LIVE}${HANDLING}${DIRECTORY_ROW}
local prefix, claim, now, nowMs, skill = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local function withRecipients(answer)
  if #ARGV < 7 then return answer end
  local rows = { directoryRow(prefix, answer[1], ARGV[6], ARGV[7]) }
  for i = 8, #ARGV do
    if ARGV[i] ~= answer[1] then rows[#rows + 1] = directoryRow(prefix, ARGV[i], ARGV[6], ARGV[7]) end
  end
  answer[7] = rows
  return answer
end
local serving = 0
local holder, holderName
local best, bestName, bestLoad, bestCapacity, bestIdle
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('HMGET', prefix .. 'agent:' .. id, 'name', 'status', 'capacity', 'idleSince')
  if live(prefix, id, v[2]) then
    serving = serving + 1
    local held = prefix .. 'held:' .. id
    if redis.call('HEXISTS', held, claim) == 1 then
      holder, holderName = id, v[1] or id
    end
    local load = redis.call('HLEN', held)
    local capacity = tonumber(v[3] or '0') or 0
    local idle = v[4] or ''
    if load < capacity then
      local better = best == nil
      if not better then
        local left, right = load * bestCapacity, bestLoad * capacity
        better = left < right or (left == right and (idle < bestIdle or (idle == bestIdle and id < best)))
      end
      if better then best, bestName, bestLoad, bestCapacity, bestIdle = id, v[1] or id, load, capacity, idle end
    end
  end
end
local total, count = handling(prefix, skill)
if holder then return withRecipients({ holder, holderName, 1, serving, total, count }) end
if best then
  redis.call('HSET', prefix .. 'held:' .. best, claim, nowMs)
  redis.call('HSET', prefix .. 'agent:' .. best, 'idleSince', now)
  return withRecipients({ best, bestName, 0, serving, total, count })
end
return { '', '', 0, serving, total, count }
`;

/** KEYS[1] agent hash. ARGV: prefix, id, claim, now (ISO), nowMs. Returns 1 when the agent holds the claim. */
export const CLAIM_AGENT = `${LIVE}
local prefix, id, claim = ARGV[1], ARGV[2], ARGV[3]
local v = redis.call('HMGET', KEYS[1], 'status', 'capacity')
if not live(prefix, id, v[1]) then return 0 end
local held = prefix .. 'held:' .. id
if redis.call('HEXISTS', held, claim) == 1 then return 1 end
if redis.call('HLEN', held) >= (tonumber(v[2] or '0') or 0) then return 0 end
redis.call('HSET', held, claim, ARGV[5])
redis.call('HSET', KEYS[1], 'idleSince', ARGV[4])
return 1
`;

/**
 * KEYS[1] agent hash. ARGV: prefix, id, claim, now, skill, handled seconds ('' for none),
 * samples kept. Gives the claim back; only the call that removed it records the handling time.
 */
export const RELEASE = `
local prefix, id, claim = ARGV[1], ARGV[2], ARGV[3]
local removed = redis.call('HDEL', prefix .. 'held:' .. id, claim)
if removed == 1 then
  if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'idleSince', ARGV[4]) end
  if ARGV[6] ~= '' then
    local list = prefix .. 'aht:' .. ARGV[5]
    redis.call('LPUSH', list, ARGV[6])
    redis.call('LTRIM', list, 0, tonumber(ARGV[7]) - 1)
  end
end
return removed
`;

/**
 * KEYS[1] the online:* set. ARGV: prefix, now ('' leaves statusSince alone). Online agents
 * whose presence expired go offline; returns their ids.
 */
export const SWEEP_EXPIRED = `
local prefix = ARGV[1]
local lost = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', prefix .. 'alive:' .. id) == 0 then
    local key = prefix .. 'agent:' .. id
    local skills = redis.call('HGET', key, 'skills')
    if skills then
      for skill in string.gmatch(skills, '[^,]+') do redis.call('SREM', prefix .. 'online:' .. skill, id) end
    end
    redis.call('SREM', KEYS[1], id)
    if redis.call('EXISTS', key) == 1 then
      redis.call('HSET', key, 'status', 'offline', 'lapsed', '1')
      if ARGV[2] ~= '' then redis.call('HSET', key, 'statusSince', ARGV[2]) end
    end
    lost[#lost + 1] = id
  end
end
return lost
`;

/**
 * KEYS[1] the agents set. ARGV[1] prefix. Returns [id, status (offline whenever presence
 * expired, whatever was set), capacity, claims as "claim=ms,claim=ms", known (1 when the
 * agent's hash exists)][].
 */
export const SNAPSHOT = `${LIVE}
local prefix = ARGV[1]
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local v = redis.call('HMGET', prefix .. 'agent:' .. id, 'status', 'capacity')
  local status = v[1] or 'offline'
  if not alive(prefix, id) then status = 'offline' end
  local held = prefix .. 'held:' .. id
  local claims = {}
  for _, claim in ipairs(redis.call('HKEYS', held)) do
    claims[#claims + 1] = claim .. '=' .. (redis.call('HGET', held, claim) or '0')
  end
  out[#out + 1] = { id, status, v[2] or '0', table.concat(claims, ','), redis.call('EXISTS', prefix .. 'agent:' .. id) }
end
return out
`;

/**
 * KEYS[1] held hash. ARGV: removeBeforeMs, nowMs, number of claims to add, the claims to
 * add, then the claims to remove. Removes a claim only if it was made before removeBeforeMs.
 * Returns [added, removed].
 */
export const REPAIR_CLAIMS = `
local cutoff, nowMs, adds = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local added, removed = 0, 0
for i = 4, 3 + adds do
  added = added + redis.call('HSETNX', KEYS[1], ARGV[i], nowMs)
end
for i = 4 + adds, #ARGV do
  local at = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '')
  if at and at < cutoff then removed = removed + redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return { added, removed }
`;

/**
 * The connection directory (docs/connection-directory.md), beside the rate-limit counters.
 * Keys under the prefix P (user ids and participant lists are newline-separated):
 *   P dir:<user>    hash: '#' -> '1' (the user is known: its fields are all its live
 *                   connections), <connectionId> -> 'role|connectedAt|expiresAt'
 *   P dirp:<user>   the token of the one fill in flight for an unknown user (PX)
 *   P dirc:<conv>   the participants the last broadcast of a conversation went to
 *   P pushed:<key>  the digest of the last frame sent under a push key (queue positions: PUSH_LOOKUP)
 */

/**
 * The message path's one command: sliding-window counters (the algorithm and keys of
 * @upstash/ratelimit's single-region slidingWindow), then the hinted participants' entries.
 * KEYS: per check its current and previous window counters. ARGV: prefix, conversation,
 * nowMs, token, fillTtlMs, then per check its limit and window (ms).
 * Returns { {remaining per check, -1 when limited}, {user, 1, connectionId, value, ...} for a
 * known user | {user, 0, token or ''} for an unknown one ... }.
 */
export const DIRECTORY_ADMIT = `${DIRECTORY_ROW}
local prefix, conversation, now, token, fillTtl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local decisions = {}
for i = 1, #KEYS / 2 do
  local limit, window = tonumber(ARGV[4 + 2 * i]), tonumber(ARGV[5 + 2 * i])
  local current = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local previous = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  previous = math.floor((1 - (now % window) / window) * previous)
  if previous + current >= limit then
    decisions[i] = -1
  else
    local value = redis.call('INCRBY', KEYS[2 * i - 1], 1)
    if value == 1 then redis.call('PEXPIRE', KEYS[2 * i - 1], window * 2 + 1000) end
    decisions[i] = limit - (value + previous)
  end
end
local out = { decisions }
local hint = redis.call('GET', prefix .. 'dirc:' .. conversation)
if hint then
  for user in string.gmatch(hint, '[^\\n]+') do
    out[#out + 1] = directoryRow(prefix, user, token, fillTtl)
  end
end
return out
`;

/**
 * ARGV: prefix, conversation, participants ('' leaves the hint), hintTtlSeconds, dirTtlSeconds,
 * then per user: id, token, count, and count (connectionId, value) pairs. A user is filled
 * only while its token is the pending one: a flush or a connect since the lookup voided it.
 * Returns how many users it filled.
 */
export const DIRECTORY_FILL = `
local prefix = ARGV[1]
if ARGV[3] ~= '' then redis.call('SET', prefix .. 'dirc:' .. ARGV[2], ARGV[3], 'EX', ARGV[4]) end
local i, filled = 6, 0
while i <= #ARGV do
  local user, token, count = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local pending = prefix .. 'dirp:' .. user
  if token ~= '' and redis.call('GET', pending) == token then
    redis.call('DEL', pending)
    local key = prefix .. 'dir:' .. user
    redis.call('HSET', key, '#', '1')
    for j = 0, count - 1 do redis.call('HSET', key, ARGV[i + 3 + 2 * j], ARGV[i + 4 + 2 * j]) end
    redis.call('EXPIRE', key, ARGV[5])
    filled = filled + 1
  end
  i = i + 3 + 2 * count
end
return filled
`;

/**
 * Runs after the connection's record is written. ARGV: prefix, user, connectionId, value,
 * dirTtlSeconds, token, fillTtlMs. A known user gets the connection (and any fill in flight is
 * voided: its Query may predate the record); an unknown one gets a new pending token, which
 * also voids any fill in flight, so the caller's next consistent Query of the record may fill
 * it. Returns '' (added) or the token.
 */
export const DIRECTORY_ADD = `
local prefix, user = ARGV[1], ARGV[2]
local pending = prefix .. 'dirp:' .. user
local key = prefix .. 'dir:' .. user
if redis.call('HEXISTS', key, '#') == 1 then
  redis.call('DEL', pending)
  redis.call('HSET', key, ARGV[3], ARGV[4])
  redis.call('EXPIRE', key, ARGV[5])
  return ''
end
redis.call('SET', pending, ARGV[6], 'PX', ARGV[7])
return ARGV[6]
`;

/**
 * Pushes outside a conversation's message path (queue positions, services/queue-positions.ts):
 * which frames differ from the last one remembered under their key, and the recipients'
 * directory entries. ARGV: prefix, token, fillTtlMs, then per push: user, key, digest, force
 * ('1': read the recipient even when the digest is the remembered one). Returns per push
 * { key, 1 } when unchanged (and not forced), else { key, 0, user, 1, connectionId, value, ... }
 * for a known user | { key, 0, user, 0, token or '' } for an unknown one.
 */
export const PUSH_LOOKUP = `${DIRECTORY_ROW}
local prefix, token, fillTtl = ARGV[1], ARGV[2], ARGV[3]
local out = {}
local i = 4
while i + 3 <= #ARGV do
  local user, key, digest, force = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  i = i + 4
  if force ~= '1' and redis.call('GET', prefix .. 'pushed:' .. key) == digest then
    out[#out + 1] = { key, 1 }
  else
    local row = { key, 0 }
    for _, value in ipairs(directoryRow(prefix, user, token, fillTtl)) do row[#row + 1] = value end
    out[#out + 1] = row
  end
end
return out
`;

/** ARGV: prefix, ttlSeconds, then pairs of key and digest: the frames just sent under each key. */
export const PUSH_REMEMBER = `
local prefix, ttl = ARGV[1], ARGV[2]
local i = 3
while i + 1 <= #ARGV do
  redis.call('SET', prefix .. 'pushed:' .. ARGV[i], ARGV[i + 1], 'EX', ttl)
  i = i + 2
end
return 0
`;
