-- Reads a lease's state without changing it.
-- KEYS[1]  lease key
-- KEYS[2]  fencing key (same hash slot)
-- Returns  {owner token or false, remaining ttl in ms (negative when free), last fencing token issued or 0}
return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]), tonumber(redis.call('GET', KEYS[2]) or '0')}
