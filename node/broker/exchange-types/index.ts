import type { ExchangeRouter } from '../binding.js';
import { DirectRouter } from './direct.js';
import { FanoutRouter } from './fanout.js';
import { HeadersRouter } from './headers.js';
import { TopicRouter } from './topic.js';

/** Exchange types by their AMQP name; a new type is one file and one line here. */
export const EXCHANGE_TYPES: ReadonlyMap<string, () => ExchangeRouter> = new Map<string, () => ExchangeRouter>([
  ['direct', () => new DirectRouter()],
  ['fanout', () => new FanoutRouter()],
  ['topic', () => new TopicRouter()],
  ['headers', () => new HeadersRouter()],
]);
