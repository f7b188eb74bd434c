-- Claims the fenced resource for a fencing token before it is read: from then on, holders of older tokens can
-- neither claim it nor write it.
-- KEYS[1]: the token the resource was last claimed with
-- ARGV[1]: the caller's fencing token
-- Returns: 1 when claimed (the stored token was older), 0 when a token at least as new had claimed it
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], ARGV[1])
    return 1
end
return 0
