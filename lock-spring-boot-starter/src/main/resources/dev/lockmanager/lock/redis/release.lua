-- Releases a lease if it is still owned by the caller, and wakes the waiters.
-- KEYS[1]  lease key
-- ARGV[1]  owner token of the lease being released
-- ARGV[2]  release channel of the lease key, published to when the lease is released
-- Returns  1 when released, 0 when the key had expired or is owned by another holder (nothing is changed).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], '')
  return 1
end
return 0
