import type { FieldTable } from '../../../shared/amqp/index.js';
import type { ExchangeRouter } from '../binding.js';
import type { RedisDedupStore } from '../dedup-redis/store.js';
import { DeduplicationRouter } from './deduplication.js';
import { DirectRouter } from './direct.js';
import { FanoutRouter } from './fanout.js';
import { HeadersRouter } from './headers.js';
import { RedisDeduplicationRouter } from './redis-deduplication.js';
import { TopicRouter } from './topic.js';

/** What an exchange type may need to set itself up; it throws a 406 AmqpError for bad arguments. */
export interface ExchangeTypeContext {
  readonly vhost: string;
  readonly name: string;
  readonly arguments: FieldTable;
  /** A file of its own in the node's data folder, for types that keep state (null: none). */
  readonly dataDir: string | null;
  /** Where deduplication caches live when the node has a `redis-url` (null: on the node). */
  readonly dedupStore: RedisDedupStore | null;
}

/** Exchange types by their AMQP name; a new type is one file and one line here. */
export const EXCHANGE_TYPES: ReadonlyMap<string, (ctx: ExchangeTypeContext) => ExchangeRouter> = new Map<string, (ctx: ExchangeTypeContext) => ExchangeRouter>([
  ['direct', () => new DirectRouter()],
  ['fanout', () => new FanoutRouter()],
  ['topic', () => new TopicRouter()],
  ['headers', () => new HeadersRouter()],
  ['x-message-deduplication', (ctx) => (ctx.dedupStore ? new RedisDeduplicationRouter(ctx, ctx.dedupStore) : new DeduplicationRouter(ctx))],
]);
