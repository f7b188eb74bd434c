-- Tells which of the calls the lock manager makes the current Redis user may not make, without making them.
-- Needs Redis 7.0 or newer (redis.acl_check_cmd).
-- ARGV     the calls to check, one after the other, each as its number of words, then the words: the command (a
--          subcommand as two words) and every argument it takes, e.g. '2', 'get', 'lock:{check:%2A}', then
--          '3', 'script', 'load', 'return 1'. A call must be complete: Redis 7.0 may crash on one missing its keys.
-- Returns  for each call, in order: 1 when the user may make it, else 0; an empty list on Redis before 7.0, which cannot
--          tell.
if not redis.acl_check_cmd then
  return {}
end
local answers = {}
local i = 1
while i <= #ARGV do
  local words = tonumber(ARGV[i])
  answers[#answers + 1] = redis.acl_check_cmd(unpack(ARGV, i + 1, i + words)) and 1 or 0
  i = i + 1 + words
end
return answers
