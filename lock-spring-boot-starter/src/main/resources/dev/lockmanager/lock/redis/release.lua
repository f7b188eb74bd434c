-- Releases a lease if it is still owned by the caller, promises the key to the process that has waited longest for
-- it, and wakes the waiters: the message is '<process>:<ms>' when the key is promised to that process for that long,
-- empty when it is free for all.
-- KEYS[1]  lease key
-- KEYS[2]  turn key (same hash slot): set to the process the key is promised to
-- KEYS[3]  line key (same hash slot): the processes waiting for the key, by the time they started waiting
-- ARGV[1]  owner token of the lease being released
-- ARGV[2]  release channel of the lease key (same hash slot), published to when the lease is released
-- ARGV[3]  '1' to publish with SPUBLISH (sharded pub/sub: Redis 7+ Cluster), '0' to publish with PUBLISH
-- ARGV[4]  the releasing process (its manager's id): it is never promised the key it gives up
-- ARGV[5]  how long the key stays promised to the next process in line, in ms ('0': not promised)
-- Returns  1 when released, 0 when the key had expired or is owned by another holder (nothing is changed).
--
-- While the key is promised, only that process can take it; one that does not come in time loses its turn.
-- The lease is deleted before the message is sent and scripts are not rolled back, so publishing must not fail: a
-- node that does not know SPUBLISH (a Redis 6.2 replica promoted in a mixed cluster) publishes with PUBLISH instead,
-- which sharded subscribers do not hear; their waiters fall back to their backoff.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
local promised = ''
if ARGV[5] ~= '0' then
  for _, next in ipairs(redis.call('ZRANGE', KEYS[3], 0, 1)) do
    if next ~= ARGV[4] then
      redis.call('ZREM', KEYS[3], next)
      redis.call('SET', KEYS[2], next, 'PX', ARGV[5])
      promised = next .. ':' .. ARGV[5]
      break
    end
  end
end
if ARGV[3] ~= '1' or type(redis.pcall('SPUBLISH', ARGV[2], promised)) == 'table' then
  redis.call('PUBLISH', ARGV[2], promised)
end
return 1
