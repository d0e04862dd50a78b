import type { FieldTable } from '../../../shared/amqp/index.js';
import type { ExchangeRouter } from '../binding.js';
import { DeduplicationRouter } from './deduplication.js';
import { DirectRouter } from './direct.js';
import { FanoutRouter } from './fanout.js';
import { HeadersRouter } from './headers.js';
import { TopicRouter } from './topic.js';

/** What an exchange type may need to set itself up; it throws a 406 AmqpError for bad arguments. */
export interface ExchangeTypeContext {
  readonly vhost: string;
  readonly name: string;
  readonly arguments: FieldTable;
  /** A file of its own in the node's data folder, for types that keep state (null: none). */
  readonly dataDir: string | null;
}

/** Exchange types by their AMQP name; a new type is one file and one line here. */
export const EXCHANGE_TYPES: ReadonlyMap<string, (ctx: ExchangeTypeContext) => ExchangeRouter> = new Map<string, (ctx: ExchangeTypeContext) => ExchangeRouter>([
  ['direct', () => new DirectRouter()],
  ['fanout', () => new FanoutRouter()],
  ['topic', () => new TopicRouter()],
  ['headers', () => new HeadersRouter()],
  ['x-message-deduplication', (ctx) => new DeduplicationRouter(ctx)],
]);
