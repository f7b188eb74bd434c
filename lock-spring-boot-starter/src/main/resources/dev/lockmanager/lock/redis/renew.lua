-- Extends a lease if it is still owned by the caller; never recreates an expired key.
-- KEYS[1]  lease key
-- ARGV[1]  owner token of the lease being renewed
-- ARGV[2]  new ttl in milliseconds
-- Returns  1 when extended, 0 when the key had expired or is owned by another holder (nothing is changed).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
