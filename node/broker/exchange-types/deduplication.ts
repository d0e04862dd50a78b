import type { FieldTable } from '../../../shared/amqp/index.js';
import { DedupCache, dedupKey } from '../dedup-cache.js';
import { DEDUP_HEADER, dedupArguments, messageTtl, type DedupArguments } from './dedup-arguments.js';
import type { ExchangeTypeContext } from './index.js';
import { FanoutRouter } from './fanout.js';

/**
 * `x-message-deduplication` with the cache on the node (no `redis-url`), argument-compatible with RabbitMQ's
 * message-deduplication plugin: a fanout that drops a message whose `x-deduplication-header` value it has
 * seen within the cache TTL (`x-cache-ttl` argument, or the message's own `x-cache-ttl` header),
 * remembering at most `x-cache-size` values. `x-cache-persistence: disk` keeps the cache in the node's data
 * folder across restarts. A dropped duplicate counts as unroutable: confirmed, and returned if published
 * mandatory.
 */
export class DeduplicationRouter extends FanoutRouter {
  private readonly args: DedupArguments;
  private readonly cache: DedupCache;

  constructor(ctx: ExchangeTypeContext) {
    super();
    this.args = dedupArguments(ctx);
    const file = this.args.persistence === 'disk' && ctx.dataDir !== null ? ctx.dataDir : null;
    this.cache = new DedupCache(this.args.size, this.args.ttl, file);
  }

  admit(headers: FieldTable | undefined): boolean {
    const value = headers?.[DEDUP_HEADER];
    if (value === undefined) return true;
    return !this.cache.seen(dedupKey(value), messageTtl(headers!, this.args.ttl));
  }

  destroy(): void {
    this.cache.destroy();
  }
}
