-- Quorum mode: raises a node's fencing counter to the token the client chose (the largest its majority issued),
-- so that any later majority, which shares a node with this one, issues larger tokens.
-- KEYS[1]  fencing key
-- ARGV[1]  the fencing token of the new lease
-- ARGV[2]  how long the fencing key is kept, in milliseconds
-- Returns  1
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
