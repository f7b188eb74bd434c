-- A process stops waiting for a key: it leaves the line and gives up a turn promised to it, waking the waiters.
-- KEYS[1]  turn key: the process the free key is promised to
-- KEYS[2]  line key (same hash slot): the processes waiting for the key
-- ARGV[1]  release channel of the lease key (same hash slot)
-- ARGV[2]  '1' to publish with SPUBLISH (sharded pub/sub: Redis 7+ Cluster), '0' to publish with PUBLISH
-- ARGV[3]  the leaving process (its manager's id)
-- Returns  1 when a turn was given up, else 0.
redis.call('ZREM', KEYS[2], ARGV[3])
if redis.call('GET', KEYS[1]) ~= ARGV[3] then
  return 0
end
redis.call('DEL', KEYS[1])
if ARGV[2] ~= '1' or type(redis.pcall('SPUBLISH', ARGV[1], '')) == 'table' then
  redis.call('PUBLISH', ARGV[1], '')
end
return 1
