// The Lua scripts. Each runs atomically on one server, so "check then write" cannot interleave with
// another consumer. KEYS and ARGV are documented per script.
import { LuaScript } from '../redis/index.js';

/**
 * KEYS: message key, fence counter. ARGV: owner token, lease ms.
 * -> {0, fence} claimed | {1, 0} done | {2, pttl} claimed by someone else.
 * SET NX PX is the claim; the INCR runs only when it succeeded, in the same atomic step.
 */
export const CLAIM = new LuaScript(
  'idempotency.claim',
  `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('INCR', KEYS[2])}
end
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 5) == 'done:' then return {1, 0} end
return {2, redis.call('PTTL', KEYS[1])}`,
  2,
);

/** KEYS: message key. ARGV: owner token, lease ms. -> 1 extended | 0 not ours. */
export const RENEW = new LuaScript(
  'idempotency.renew',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`,
  1,
);

/**
 * KEYS: message key. ARGV: owner token, done value, retention ms. -> 1 recorded | 0 someone else's.
 * Records "done" where the key holds our claim, or nothing at all (our lease ran out but nobody took
 * over: the work is done and now on record). Refuses when another consumer's claim or "done" is there.
 * Answers 1 again when our own done value is already there, so a retry after a lost reply is safe.
 */
export const MARK_DONE = new LuaScript(
  'idempotency.mark-done',
  `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
if v == ARGV[2] then return 1 end
return 0`,
  1,
);

/** KEYS: message key. ARGV: owner token. -> 1 deleted | 0 not ours. */
export const RELEASE = new LuaScript(
  'idempotency.release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
  1,
);

/**
 * KEYS: message key. -> {0, 0} free | {1, pttl, value} done | {2, pttl} claimed.
 * Used after a failed quorum claim (and to repair servers that lack a done marker).
 */
export const STATUS = new LuaScript(
  'idempotency.status',
  `local v = redis.call('GET', KEYS[1])
if not v then return {0, 0} end
if string.sub(v, 1, 5) == 'done:' then return {1, redis.call('PTTL', KEYS[1]), v} end
return {2, redis.call('PTTL', KEYS[1])}`,
  1,
);

/** KEYS: fence counter. -> the incremented value. */
export const FENCE_INCR = new LuaScript('idempotency.fence-incr', `return redis.call('INCR', KEYS[1])`, 1);

/** KEYS: fence counter. ARGV: value. Raises the counter to at least value. -> 1 */
export const FENCE_RAISE = new LuaScript(
  'idempotency.fence-raise',
  `if (tonumber(redis.call('GET', KEYS[1])) or 0) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1`,
  1,
);

/** Reads a {code, number} reply. */
export function pair(reply: unknown, script: string): [number, number] {
  if (Array.isArray(reply) && typeof reply[0] === 'number' && typeof reply[1] === 'number') return [reply[0], reply[1]];
  throw new Error(`${script}: unexpected reply ${JSON.stringify(reply)}`);
}

/** Reads a STATUS reply. */
export function status(reply: unknown): { code: number; ttlMs: number; value?: string } {
  const [code, ttlMs] = pair(reply, STATUS.name);
  const value = (reply as unknown[])[2];
  return typeof value === 'string' ? { code, ttlMs, value } : { code, ttlMs };
}
