// The Lua scripts of the Redis adapter. Each is one atomic step on keys of ONE hash tag
// (`<prefix>:{u:<userTag>}:…`), so every script touches one Cluster slot. The clock is
// Redis TIME inside the script. Numbers go into hashes as integers (ms).

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function deny(key, ms)
  if ms <= 0 then return end
  local pt = redis.call('PTTL', key)
  if pt < ms then redis.call('SET', key, '1', 'PX', ms) end
end
local function extend(key, ms)
  local pt = redis.call('PTTL', key)
  if pt < ms then redis.call('PEXPIRE', key, ms) end
end
local function revoke(base, fid, sid, denyMs)
  local fk = base .. 'f:' .. fid
  redis.call('HSET', fk, 'st', 'revoked', 'cur', '', 'prev', '', 'sl', '')
  redis.call('ZREM', base .. 's', fid)
  local sk = base .. 'sid:' .. sid
  if redis.call('GET', sk) == fid then redis.call('DEL', sk) end
  deny(base .. 'ds:' .. sid, denyMs)
end
`;

/** KEYS: family, index, sid; ARGV: base fid sub sid trace authTime hash br os ip idleMs absMs maxSessions denyMs linger */
export const LOGIN: string = `${PRELUDE}
local now = now_ms()
local base = ARGV[1]
local fid = ARGV[2]
local sid = ARGV[4]
local auth = now
if ARGV[6] ~= '' then auth = math.min(tonumber(ARGV[6]), now) end
local aa = auth + tonumber(ARGV[12])
if aa <= now then return {'absolute', now} end
local ia = now + tonumber(ARGV[11])
local ttl = math.min(ia, aa) - now + tonumber(ARGV[15])
local replaced = ''
local old = redis.call('GET', KEYS[3])
if old and old ~= fid then
  if redis.call('HGET', base .. 'f:' .. old, 'st') == 'active' then
    revoke(base, old, sid, 0)
    replaced = old
  end
end
redis.call('HSET', KEYS[1], 'st', 'active', 'sub', ARGV[3], 'sid', sid, 'tr', ARGV[5], 'au', auth,
  'ca', now, 'bo', now, 'lu', now, 'ia', ia, 'aa', aa, 'g', 0, 'cur', ARGV[7], 'prev', '', 'ra', 0,
  'rp', 0, 'sl', '', 'br', ARGV[8], 'os', ARGV[9], 'ip', ARGV[10])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[3], fid, 'PX', ttl)
redis.call('ZADD', KEYS[2], now, fid)
extend(KEYS[2], ttl)
local members = redis.call('ZRANGE', KEYS[2], 0, -1)
local live = {}
for i = 1, #members do
  local m = members[i]
  if m ~= fid then
    local d = redis.call('HMGET', base .. 'f:' .. m, 'st', 'ia', 'aa', 'sid')
    if d[1] ~= 'active' or now >= tonumber(d[2]) or now >= tonumber(d[3]) then
      redis.call('ZREM', KEYS[2], m)
    else
      live[#live + 1] = { m, d[4] }
    end
  end
end
local out = { 'ok', now, replaced, auth, ia, aa }
local excess = #live + 1 - tonumber(ARGV[13])
for i = 1, excess do
  revoke(base, live[i][1], live[i][2], tonumber(ARGV[14]))
  out[#out + 1] = live[i][1]
  out[#out + 1] = live[i][2]
end
return out
`;

/** KEYS: family, index, epoch; ARGV: base fid gen hash trace newHash sealed idleMs graceMs maxReplays mode denyMs linger */
export const ROTATE: string = `${PRELUDE}
local fk = KEYS[1]
local st = redis.call('HGET', fk, 'st')
local now = now_ms()
if not st then return { 'invalid', now } end
local base = ARGV[1]
local fid = ARGV[2]
local function reply(status, sealed)
  local r = redis.call('HMGET', fk, 'sub', 'sid', 'tr', 'au', 'ca', 'lu', 'ia', 'aa', 'g', 'br', 'os', 'ip')
  local out = { status, now }
  for i = 1, #r do out[#out + 1] = r[i] or '' end
  out[#out + 1] = sealed or ''
  return out
end
if st ~= 'active' then return reply('revoked') end
local d = redis.call('HMGET', fk, 'sid', 'tr', 'bo', 'ia', 'aa', 'g', 'cur', 'prev', 'ra', 'rp', 'sl')
local sid = d[1]
local denyMs = tonumber(ARGV[12])
local ep = redis.call('HGET', KEYS[3], 'at')
if ep and tonumber(d[3]) < tonumber(ep) then
  revoke(base, fid, sid, denyMs)
  return reply('epoch')
end
local aa = tonumber(d[5])
if now >= aa then return reply('absolute') end
if now >= tonumber(d[4]) then return reply('idle') end
local mode = ARGV[11]
local same = mode == 'allow' or ARGV[5] == d[2]
local g = tonumber(d[6])
local pg = tonumber(ARGV[3])
if pg == g then
  if ARGV[4] ~= d[7] then return reply('invalid') end
  if not same then
    if mode == 'revoke-family' then
      revoke(base, fid, sid, denyMs)
      return reply('trace_revoked')
    end
    return reply('trace_mismatch')
  end
  local ia = now + tonumber(ARGV[8])
  local ttl = math.min(ia, aa) - now + tonumber(ARGV[13])
  redis.call('HSET', fk, 'g', g + 1, 'prev', d[7], 'cur', ARGV[6], 'ra', now, 'rp', 0, 'sl', ARGV[7],
    'lu', now, 'ia', ia)
  redis.call('PEXPIRE', fk, ttl)
  redis.call('ZADD', KEYS[2], now, fid)
  extend(KEYS[2], ttl)
  local sk = base .. 'sid:' .. sid
  if redis.call('GET', sk) == fid then redis.call('PEXPIRE', sk, ttl) end
  return reply('rotated')
elseif pg == g - 1 then
  if ARGV[4] ~= d[8] then return reply('invalid') end
  local grace = tonumber(ARGV[9])
  if grace > 0 and now - tonumber(d[9]) <= grace and same and tonumber(d[10]) < tonumber(ARGV[10]) then
    redis.call('HINCRBY', fk, 'rp', 1)
    return reply('grace', d[11])
  end
  revoke(base, fid, sid, denyMs)
  return reply('reused')
elseif pg < g - 1 then
  revoke(base, fid, sid, denyMs)
  return reply('reused')
end
return reply('invalid')
`;

/** KEYS: family; ARGV: base fid denyMs jti jtiTtlMs */
export const LOGOUT: string = `${PRELUDE}
local now = now_ms()
local base = ARGV[1]
if ARGV[4] ~= '' and tonumber(ARGV[5]) > 0 then deny(base .. 'dj:' .. ARGV[4], tonumber(ARGV[5])) end
local d = redis.call('HMGET', KEYS[1], 'st', 'sub', 'sid')
if d[1] ~= 'active' then return { now } end
revoke(base, ARGV[2], d[3], tonumber(ARGV[3]))
return { now, d[2], d[3] }
`;

/** KEYS: sid; ARGV: base sid denyMs. An unknown sid writes nothing. */
export const REVOKE_SID: string = `${PRELUDE}
local now = now_ms()
local base = ARGV[1]
local fid = redis.call('GET', KEYS[1])
if not fid then return { now } end
if redis.call('HGET', base .. 'f:' .. fid, 'st') ~= 'active' then return { now } end
revoke(base, fid, ARGV[2], tonumber(ARGV[3]))
return { now, fid }
`;

/** KEYS: epoch, index; ARGV: base exceptSid epochTtlMs denyMs */
export const LOGOUT_ALL: string = `${PRELUDE}
local now = now_ms()
local base = ARGV[1]
redis.call('HSET', KEYS[1], 'at', now, 'x', ARGV[2])
extend(KEYS[1], tonumber(ARGV[3]))
local keep = ''
if ARGV[2] ~= '' then
  local kf = redis.call('GET', base .. 'sid:' .. ARGV[2])
  if kf and redis.call('HGET', base .. 'f:' .. kf, 'st') == 'active' then
    redis.call('HSET', base .. 'f:' .. kf, 'bo', now)
    keep = kf
  end
end
local out = { now }
local members = redis.call('ZRANGE', KEYS[2], 0, -1)
for i = 1, #members do
  local m = members[i]
  if m ~= keep then
    local d = redis.call('HMGET', base .. 'f:' .. m, 'st', 'sid')
    if d[1] == 'active' then
      revoke(base, m, d[2], tonumber(ARGV[4]))
      out[#out + 1] = m
      out[#out + 1] = d[2]
    else
      redis.call('ZREM', KEYS[2], m)
    end
  end
end
return out
`;

/** KEYS: index, epoch; ARGV: base limit. Reply: now, then 13 fields per entry. */
export const LIST: string = `${PRELUDE}
local now = now_ms()
local ep = tonumber(redis.call('HGET', KEYS[2], 'at') or '-1')
local members = redis.call('ZREVRANGE', KEYS[1], 0, -1)
local out = { now }
local n = 0
local limit = tonumber(ARGV[2])
for i = 1, #members do
  if n >= limit then break end
  local d = redis.call('HMGET', ARGV[1] .. 'f:' .. members[i], 'st', 'bo', 'ia', 'aa', 'sub', 'sid', 'tr',
    'au', 'ca', 'lu', 'g', 'br', 'os', 'ip')
  if d[1] == 'active' and now < tonumber(d[3]) and now < tonumber(d[4]) and tonumber(d[2]) >= ep then
    out[#out + 1] = members[i]
    for j = 3, 14 do out[#out + 1] = d[j] or '' end
    n = n + 1
  end
end
return out
`;

/** KEYS: denyJti, denySid, epoch; ARGV: hasJti hasSid iat sid */
export const IS_REVOKED: string = `
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return 'jti' end
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then return 'sid' end
local e = redis.call('HMGET', KEYS[3], 'at', 'x')
if e[1] and tonumber(ARGV[3]) * 1000 <= tonumber(e[1]) and (e[2] == '' or e[2] ~= ARGV[4]) then
  return 'epoch'
end
return ''
`;

/** KEYS: key; ARGV: ttlMs */
export const DENY: string = `${PRELUDE}
deny(KEYS[1], tonumber(ARGV[1]))
return 1
`;

/** KEYS: pepper; ARGV: candidate. The one key without a TTL (it is configuration). */
export const PEPPER: string = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`;
