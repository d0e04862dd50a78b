import { numberOf, stringOf, type FieldTable } from '../../../shared/amqp/index.js';
import { DedupCache, dedupKey } from '../dedup-cache.js';
import { invalidArg } from '../errors.js';
import type { ExchangeTypeContext } from './index.js';
import { FanoutRouter } from './fanout.js';

/**
 * `x-message-deduplication`, argument-compatible with RabbitMQ's message-deduplication plugin: a fanout
 * that drops a message whose `x-deduplication-header` value it has seen within the cache TTL
 * (`x-cache-ttl` argument, or the message's own `x-cache-ttl` header), remembering at most `x-cache-size`
 * values. `x-cache-persistence: disk` keeps the cache in the node's data folder across restarts. A dropped
 * duplicate counts as unroutable: confirmed, and returned if published mandatory.
 */
export class DeduplicationRouter extends FanoutRouter {
  private readonly cache: DedupCache;

  constructor(ctx: ExchangeTypeContext) {
    super();
    const bad = (arg: string, why: string) => invalidArg(arg, 'exchange', ctx.name, ctx.vhost, why);
    // the plugin also accepts a number written as a string
    const size = positive(ctx.arguments['x-cache-size']);
    if (size === null || size === false) throw bad('x-cache-size', 'required, a positive integer');
    const ttl = positive(ctx.arguments['x-cache-ttl']);
    if (ttl === false) throw bad('x-cache-ttl', 'a positive integer of milliseconds');
    const persistence = stringOf(ctx.arguments['x-cache-persistence']) ?? 'memory';
    if (persistence !== 'memory' && persistence !== 'disk') throw bad('x-cache-persistence', "must be 'memory' or 'disk'");
    const file = persistence === 'disk' && ctx.dataDir !== null ? ctx.dataDir : null;
    this.cache = new DedupCache(size, ttl, file);
  }

  admit(headers: FieldTable | undefined): boolean {
    const value = headers?.['x-deduplication-header'];
    if (value === undefined) return true;
    const ttl = positive(headers!['x-cache-ttl']);
    return !this.cache.seen(dedupKey(value), ttl === false || ttl === null ? undefined : ttl);
  }

  destroy(): void {
    this.cache.destroy();
  }
}

/** A positive integer, null when absent, false when present but invalid. */
function positive(v: FieldTable[string] | undefined): number | null | false {
  if (v === undefined) return null;
  const n = numberOf(v) ?? Number(stringOf(v));
  return Number.isInteger(n) && n > 0 ? n : false;
}
