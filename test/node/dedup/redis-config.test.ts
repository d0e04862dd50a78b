/**
 * The node settings behind the Redis deduplication cache: `redis-url` (flag, env, file; unset by default)
 * and `dedup-redis-unavailable` (wait | reject), each refused with one line naming the key and the value.
 */
import t from 'tap';
import { ConfigError, resolveConfig } from '../../../shared/config.js';
import { NODE_SCHEMA } from '../../../node/config.js';

const resolve = (env: Record<string, string>, flags: Record<string, string> = {}, file?: Record<string, unknown>) =>
  resolveConfig(NODE_SCHEMA, { env, flags, ...(file ? { file } : {}) });

t.test('unset by default: caches on the node, publishes wait while Redis is away', async (t) => {
  const c = resolve({});
  t.equal(c.redisUrl, null);
  t.equal(c.dedupRedisUnavailable, 'wait');
});

t.test('from the file, the environment and flags, flags last', async (t) => {
  t.equal(resolve({}, {}, { 'redis-url': 'redis://file:6379' }).redisUrl, 'redis://file:6379');
  t.equal(resolve({ WARREN_REDIS_URL: 'rediss://user:pw@env:6380/2' }).redisUrl, 'rediss://user:pw@env:6380/2');
  t.equal(resolve({ WARREN_REDIS_URL: 'redis://env' }, { 'redis-url': 'redis://flag' }).redisUrl, 'redis://flag');
  t.equal(resolve({ WARREN_REDIS_URL: '' }).redisUrl, null, 'empty means none');
  t.equal(resolve({ WARREN_DEDUP_REDIS_UNAVAILABLE: 'reject' }).dedupRedisUnavailable, 'reject');
});

t.test('a bad value is one line naming the key and the value', async (t) => {
  const cases: [Record<string, string>, Record<string, string>, string][] = [
    [{}, { 'redis-url': 'localhost:6379' }, 'invalid --redis-url: "localhost:6379" (expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379)'],
    [{ WARREN_REDIS_URL: 'http://cache:6379' }, {}, 'invalid WARREN_REDIS_URL: "http://cache:6379" (expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379)'],
    [{}, { 'dedup-redis-unavailable': 'drop' }, 'invalid --dedup-redis-unavailable: "drop" (expected one of wait, reject)'],
  ];
  for (const [env, flags, message] of cases) {
    const e = (() => {
      try {
        resolve(env, flags);
      } catch (err) {
        return err;
      }
      return null;
    })();
    t.ok(e instanceof ConfigError, message);
    t.equal((e as Error).message, message);
  }
});
