-- Writes the fenced resource if the caller's claim still stands, and logs the accepted write.
-- KEYS[1]: the token the resource was last claimed with; KEYS[2]: the value; KEYS[3]: the list of the accepted
--          writes' tokens, in the order they were applied
-- ARGV[1]: the caller's fencing token; ARGV[2]: the new value
-- Returns: 1 when written, 0 when a newer token claimed the resource since the caller's claim
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('SET', KEYS[2], ARGV[2])
    redis.call('RPUSH', KEYS[3], ARGV[1])
    return 1
end
return 0
