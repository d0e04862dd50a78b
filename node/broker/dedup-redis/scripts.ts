// The scripts behind the Redis deduplication cache (key layout in keys.ts). Each runs atomically, so a
// check and its eviction cannot interleave with another node's check of the same exchange.
import { LuaScript } from '../../../shared/redis/index.js';

/**
 * KEYS: seen key of the value, order, seq. ARGV: token, ttl ms (0: none), cache size, seen prefix, value.
 * -> 0 pass (the value was not there, now recorded with the token; or it holds this very token, written by
 * an earlier try of the same check whose reply was lost) | 1 duplicate.
 * Recording a value makes it the newest in `order`; past the cache size the oldest values go.
 */
export const CHECK = new LuaScript(
  'dedup.check',
  `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return 0 end
if v then return 1 end
if ARGV[2] == '0' then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[5])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[2], 0, over - 1)) do
    redis.call('DEL', ARGV[4] .. old)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
return 0`,
  3,
);

/**
 * KEYS: seen key of the value, order. ARGV: token, value. -> 1 removed | 0 not ours (or gone).
 * Undoes a check whose message was not routed after all; a no-op if the value was since evicted, expired
 * or recorded by someone else.
 */
export const RELEASE = new LuaScript(
  'dedup.release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0`,
  2,
);

/**
 * KEYS: order, seq. ARGV: seen prefix. -> number of values removed.
 * The exchange was deleted: every key it had, in one atomic step so that a check of a redeclared exchange
 * queued behind it starts from nothing (a cache of a million values blocks Redis for about a second).
 */
export const DROP = new LuaScript(
  'dedup.drop',
  `local values = redis.call('ZRANGE', KEYS[1], 0, -1)
for i = 1, #values, 1000 do
  local batch = {}
  for j = i, math.min(i + 999, #values) do batch[#batch + 1] = ARGV[1] .. values[j] end
  redis.call('DEL', unpack(batch))
end
redis.call('DEL', KEYS[1], KEYS[2])
return #values`,
  2,
);
