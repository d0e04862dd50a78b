/**
 * Plumbing for the tests of deduplication exchanges with their caches in Redis: a real redis-server per
 * file, in-process Warren nodes pointed at it (closed at teardown), and a client to look at the keys the
 * nodes keep there.
 */
import { Redis } from 'ioredis';
import type { NodeConfig } from '../../../node/index.js';
import { startTestNode, type TestNode } from '../../helpers/node.js';
import { startRedis, type TestRedis } from '../../helpers/redis.js';
import type { Scope } from './helpers.js';

export { redisSkip } from '../../helpers/redis.js';

/** A redis-server for the whole file, killed at teardown. */
export async function redisFor(t: Scope): Promise<TestRedis> {
  const redis = await startRedis();
  t.teardown(() => redis.kill());
  return redis;
}

/** A node keeping its deduplication caches in `redis`. */
export async function redisNode(t: Scope, redis: TestRedis, overrides: Partial<NodeConfig> = {}): Promise<TestNode> {
  const node = await startTestNode({ redisUrl: redis.url, ...overrides });
  t.teardown(() => node.close());
  return node;
}

/** A client on `redis` for looking at keys; it reconnects by itself across restarts. */
export function inspector(t: Scope, redis: TestRedis): Redis {
  const client = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  t.teardown(() => client.disconnect());
  return client;
}

/** The Redis keys of exchange `name` in vhost '/' (the layout documented in node/broker/dedup-redis/keys.ts). */
export async function exchangeKeys(client: Redis, name: string): Promise<string[]> {
  return (await client.keys(`warren:dedup:{%2F:${encodeURIComponent(name)}}:*`)).sort();
}
