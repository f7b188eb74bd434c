-- Acquires a lease if the key is free, or takes it over from a named holder (a local handoff), in one round trip.
-- Needs Redis 6.2 or newer (SET ... GET).
-- KEYS[1]  lease key: holds the owner token, expires after the ttl
-- KEYS[2]  fencing key (same hash slot): the last fencing token issued for the lease key
-- KEYS[3]  turn key (same hash slot): the process the free key is promised to, for a short while
-- KEYS[4]  line key (same hash slot): the processes waiting for the key, by the time they started waiting
-- ARGV[1]  owner token of the new lease
-- ARGV[2]  lease ttl in milliseconds
-- ARGV[3]  how long the fencing key is kept after this acquisition, in milliseconds (at least the ttl)
-- ARGV[4]  owner token of the holder handing the lease over, or '': the lease is then taken only from that holder,
--          without ever being free, so no other process can take it in between
-- ARGV[5]  the acquiring process (its manager's id)
-- ARGV[6]  when not acquired, how long the process keeps its place in the line, in ms ('0': it does not wait)
-- Returns  {1, fencing token} when acquired; when not: {0, remaining ttl of the current holder, or of another
--          process's turn, in ms}, or {0, -3} when ARGV[4] no longer holds the lease (nothing is changed).
--
-- The fencing token is max(last token + 1, server time in microseconds). The time alone makes tokens increase
-- across releases, after the fencing key expired and after a failover lost it, because every earlier token is at
-- most the time it was issued; the stored last token keeps them strictly increasing when two acquisitions fall in
-- the same microsecond or the clock steps back. A handoff issues a token like any acquisition.
local now = redis.call('TIME')
if ARGV[4] ~= '' then
  if redis.call('GET', KEYS[1]) ~= ARGV[4] then
    return {0, -3}
  end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  local turn = redis.call('GET', KEYS[3])
  local refused
  if turn and turn ~= ARGV[5] then
    refused = redis.call('PTTL', KEYS[3])
  elseif not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    refused = redis.call('PTTL', KEYS[1])
  end
  if refused then
    if ARGV[6] ~= '0' then
      -- NX: a process keeps its place while it waits
      redis.call('ZADD', KEYS[4], 'NX', now[1] * 1000000 + now[2], ARGV[5])
      if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[6]) then
        redis.call('PEXPIRE', KEYS[4], ARGV[6])
      end
    end
    return {0, refused}
  end
  if turn then
    redis.call('DEL', KEYS[3])
  end
  redis.call('ZREM', KEYS[4], ARGV[5])
end
local token = now[1] .. string.format('%06d', now[2])
local last = redis.call('SET', KEYS[2], token, 'PX', ARGV[3], 'GET')
if last and tonumber(last) >= tonumber(token) then
  token = string.format('%.0f', tonumber(last) + 1)
  redis.call('SET', KEYS[2], token, 'PX', ARGV[3])
end
return {1, tonumber(token)}
