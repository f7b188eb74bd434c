-- Releases a lease if it is still owned by the caller, and wakes the waiters.
-- KEYS[1]  lease key
-- ARGV[1]  owner token of the lease being released
-- ARGV[2]  release channel of the lease key (same hash slot), published to when the lease is released
-- ARGV[3]  '1' to publish with SPUBLISH (sharded pub/sub: Redis 7+ Cluster), '0' to publish with PUBLISH
-- Returns  1 when released, 0 when the key had expired or is owned by another holder (nothing is changed).
--
-- The lease is deleted before the message is sent and scripts are not rolled back, so publishing must not fail: a
-- node that does not know SPUBLISH (a Redis 6.2 replica promoted in a mixed cluster) publishes with PUBLISH instead,
-- which sharded subscribers do not hear; their waiters fall back to their backoff.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  if ARGV[3] ~= '1' or type(redis.pcall('SPUBLISH', ARGV[2], '')) == 'table' then
    redis.call('PUBLISH', ARGV[2], '')
  end
  return 1
end
return 0
