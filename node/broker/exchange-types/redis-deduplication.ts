import type { FieldTable } from '../../../shared/amqp/index.js';
import type { RemoteAdmission, RemoteCheck } from '../admissions.js';
import { dedupKey } from '../dedup-cache.js';
import { dedupKeys, type DedupKeys } from '../dedup-redis/keys.js';
import type { RedisDedupStore } from '../dedup-redis/store.js';
import { DEDUP_HEADER, dedupArguments, messageTtl, type DedupArguments } from './dedup-arguments.js';
import type { ExchangeTypeContext } from './index.js';
import { FanoutRouter } from './fanout.js';

/**
 * `x-message-deduplication` on a node with `redis-url`: the same arguments and behaviour as the local type
 * (deduplication.ts), with the seen-values cache in Redis, shared by every node using that Redis (same
 * vhost and exchange name: same cache) and kept across restarts. Routing asks Redis through `remote`, so a
 * publish reaching this exchange with an x-deduplication-header is routed once the answer is in.
 * x-cache-persistence is checked and otherwise ignored: Redis is the store.
 */
export class RedisDeduplicationRouter extends FanoutRouter implements RemoteAdmission {
  readonly remote: RemoteAdmission = this;
  private readonly args: DedupArguments;
  private readonly keys: DedupKeys;

  constructor(
    ctx: ExchangeTypeContext,
    private readonly store: RedisDedupStore,
  ) {
    super();
    this.args = dedupArguments(ctx);
    this.keys = dedupKeys(ctx.vhost, ctx.name);
  }

  concerns(headers: FieldTable | undefined): headers is FieldTable {
    return headers?.[DEDUP_HEADER] !== undefined;
  }

  ask(headers: FieldTable, wait: boolean): RemoteCheck {
    return this.store.check(this.keys, dedupKey(headers[DEDUP_HEADER]!), messageTtl(headers, this.args.ttl), this.args.size, wait);
  }

  /** The exchange was deleted: so is its cache, for every node. */
  destroy(): void {
    this.store.drop(this.keys);
  }
}
