-- Acquires a lease if the key is free, in one round trip.
-- KEYS[1]  lease key: holds the owner token, expires after the ttl
-- KEYS[2]  fencing key (same hash slot): the last fencing token issued for the lease key
-- ARGV[1]  owner token of the new lease
-- ARGV[2]  lease ttl in milliseconds
-- ARGV[3]  how long the fencing key is kept after the last acquisition, in milliseconds
-- Returns  {1, fencing token} when acquired, {0, remaining ttl of the current holder in ms} when held.
--
-- The fencing token is max(last token + 1, server time in microseconds). The counter alone makes tokens strictly
-- increasing while the fencing key lives; the time floor keeps them increasing after it expired or was lost in a
-- failover, because every earlier token is at most the time it was issued (one acquisition per microsecond at most).
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
local now = redis.call('TIME')
local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
local token = math.max(tonumber(redis.call('GET', KEYS[2]) or '0') + 1, floor)
redis.call('SET', KEYS[2], string.format('%.0f', token), 'PX', math.max(tonumber(ARGV[2]), tonumber(ARGV[3])))
return {1, token}
