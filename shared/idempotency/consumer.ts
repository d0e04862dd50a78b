// Idempotent consumption (docs/idempotency.md): claim the message id in Redis, run the handler while
// renewing the claim, record "done", and only then let the adapter ack. Every path that cannot prove
// the message was processed and recorded ends in a requeue, so a message is never lost; the windows in
// which it can be processed twice are listed in the docs.
//
//   claim --done--> ack (duplicate)
//         --busy--> wait min(ttl, requeueDelayMs) -> nack requeue
//         --Redis down--> wait requeueDelayMs -> nack requeue (RedisUnavailableError reported)
//         --claimed--> handler --ok--> mark done --ours--> ack
//                                               --lost--> nack requeue (ClaimLostError)
//                                               --Redis down (after retries)--> nack requeue
//                              --throws--> release claim -> nack (requeue per requeueOnFailure)
import { isUnavailable, RedisUnavailableError, toRedisError } from '../redis/index.js';
import type { Adapter } from './adapters/adapter.js';
import type { Claim, ClaimStore } from './claim-store.js';
import { Delays } from './delays.js';
import { ClaimLostError, HandlerFailedError, MissingMessageIdError } from './errors.js';
import { keySpace } from './keys.js';
import { LeaseKeeper } from './lease.js';
import { resolveOptions, type IdempotencyOptions, type ResolvedOptions } from './options.js';
import { RedlockStore } from './redlock-store.js';
import type { Settlement } from './settlement.js';
import { SingleRedisStore } from './single-store.js';

/** What the handler gets besides the message. */
export interface ClaimContext {
  /** The message id (or fingerprint) deduplicated on. */
  readonly id: string;
  /** Fencing token: give it to downstream stores so they refuse writes from an older claim's owner. */
  readonly fence: number;
  /** Aborts (with ClaimLostError) when the claim is lost while the handler runs. */
  readonly signal: AbortSignal;
}

export type Work = (ctx: ClaimContext) => unknown;
export type Handler<M> = (message: M, ctx: ClaimContext) => unknown;

export interface HandlerOptions<M> {
  /** The id to deduplicate on; default: the adapter's message-id. The notes' "unique id + fingerprint". */
  readonly fingerprint?: (message: M) => string | undefined;
}

export interface ConsumerStats {
  processed: number;
  duplicates: number;
  busy: number;
  unavailable: number;
  failed: number;
  lost: number;
  missingId: number;
}

export class IdempotentConsumer {
  readonly stats: ConsumerStats = { processed: 0, duplicates: 0, busy: 0, unavailable: 0, failed: 0, lost: 0, missingId: 0 };
  private readonly opts: ResolvedOptions;
  private readonly store: ClaimStore;
  private readonly delays = new Delays();
  private readonly inflight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(options: IdempotencyOptions) {
    this.opts = resolveOptions(options);
    const keys = keySpace(this.opts.keyPrefix, this.opts.namespace);
    const [first] = this.opts.targets;
    this.store =
      this.opts.targets.length === 1 && first !== undefined
        ? new SingleRedisStore(first, keys, this.opts.connect)
        : new RedlockStore(this.opts.targets, keys, this.opts.connect);
  }

  /** Resolves once Redis (a quorum, with Redlock) answers; throws RedisUnavailableError after timeoutMs. */
  ready(timeoutMs = 5000): Promise<void> {
    return this.store.ready(timeoutMs);
  }

  /** Decides one delivery without waiting: the settlement carries the delay the caller should honour. */
  process(id: string | undefined, work: Work): Promise<Settlement> {
    const p = this.processNow(id, work);
    this.inflight.add(p);
    p.then(
      () => this.inflight.delete(p),
      () => this.inflight.delete(p),
    );
    return p;
  }

  /** process(), then waits the settlement's delay (cut short by close()). */
  async decide(id: string | undefined, work: Work): Promise<Settlement> {
    const s = await this.process(id, work);
    if (s.action === 'nack') await this.delays.wait(s.delayMs);
    return s;
  }

  /** A message callback for any client with an adapter: decides, then acks or nacks through the adapter. */
  handler<M>(adapter: Adapter<M>, handler: Handler<M>, options: HandlerOptions<M> = {}): (message: M) => Promise<void> {
    const idOf = options.fingerprint ?? ((m: M) => adapter.messageId(m));
    return async (message) => {
      const s = await this.decide(safeId(idOf, message), (ctx) => handler(message, ctx));
      try {
        if (s.action === 'ack') await adapter.ack(message);
        else await adapter.nack(message, s.requeue);
      } catch (err) {
        // The channel closed under us: the broker requeues whatever we could not settle.
        this.report(err as Error, undefined);
      }
    };
  }

  /** Hands back held messages at once, waits for running handlers, closes Redis connections we opened. */
  async close(): Promise<void> {
    this.closing = true;
    this.delays.flush();
    while (this.inflight.size > 0) {
      await Promise.allSettled([...this.inflight]);
      this.delays.flush();
    }
    await this.store.close();
  }

  private async processNow(id: string | undefined, work: Work): Promise<Settlement> {
    if (this.closing) return { action: 'nack', requeue: true, reason: 'closing', delayMs: 0 };
    if (id === undefined || id === '') {
      this.stats.missingId++;
      const error = new MissingMessageIdError();
      this.report(error, undefined);
      return { action: 'nack', requeue: false, reason: 'missing-id', delayMs: 0, error };
    }
    const claimedAt = Date.now();
    let outcome;
    try {
      outcome = await this.store.claim(id, this.opts.leaseMs);
    } catch (err) {
      return this.unavailable(err, id);
    }
    switch (outcome.kind) {
      case 'done':
        this.stats.duplicates++;
        return { action: 'ack', reason: 'duplicate' };
      case 'busy':
        this.stats.busy++;
        // Come back when the other claim should have ended (done, or expired if its owner died).
        return { action: 'nack', requeue: true, reason: 'busy', delayMs: busyDelay(outcome.ttlMs, this.opts.requeueDelayMs) };
      case 'claimed':
        return this.runClaimed(outcome.claim, claimedAt, work);
    }
  }

  private async runClaimed(claim: Claim, claimedAt: number, work: Work): Promise<Settlement> {
    const { id } = claim;
    const lease = new LeaseKeeper(this.store, claim, this.opts.leaseMs, this.opts.renewIntervalMs, claimedAt, (e) => this.report(e, id));
    try {
      try {
        await work({ id, fence: claim.fence, signal: lease.signal });
      } catch (err) {
        // A handler that gives up because its signal aborted has lost the claim; it did not fail.
        if (err instanceof ClaimLostError || (lease.signal.aborted && err === lease.signal.reason)) return this.lost(lease.lost ?? (err as ClaimLostError));
        return await this.failed(claim, lease, err);
      }
      return await this.markDone(claim, lease);
    } finally {
      lease.stop();
    }
  }

  private async failed(claim: Claim, lease: LeaseKeeper, cause: unknown): Promise<Settlement> {
    lease.stop();
    this.stats.failed++;
    const error = new HandlerFailedError(claim.id, cause);
    this.report(error, claim.id);
    // Release so a redelivery can run at once; if this fails the claim simply expires after its lease.
    await this.store.release(claim).catch((e: unknown) => this.report(toRedisError(e, 'idempotency.release'), claim.id));
    const requeue = this.opts.requeueOnFailure;
    return { action: 'nack', requeue, reason: 'handler-failed', delayMs: requeue ? this.opts.requeueDelayMs : 0, error };
  }

  private async markDone(claim: Claim, lease: LeaseKeeper): Promise<Settlement> {
    let last: unknown;
    // No local check of the lease first: Redis decides. Our claim, or no key at all (our lease ran out
    // and nobody took over), is recorded as done; anyone else's claim or done means we lost it.
    for (let attempt = 1; attempt <= this.opts.markDoneAttempts; attempt++) {
      try {
        if (await this.store.markDone(claim, this.opts.retentionMs)) {
          this.stats.processed++;
          return { action: 'ack', reason: 'processed', fence: claim.fence };
        }
        return this.lost(lease.lost ?? new ClaimLostError(claim.id, 'another consumer holds it now (our lease ran out)'));
      } catch (err) {
        last = err;
        if (!isUnavailable(err) || attempt === this.opts.markDoneAttempts) break;
        // The lease keeper goes on renewing meanwhile, so our claim normally stays ours while we retry.
        await this.delays.wait(Math.min(1000, 50 * 2 ** attempt));
      }
    }
    return this.unavailable(last, claim.id);
  }

  private lost(error: ClaimLostError): Settlement {
    this.stats.lost++;
    this.report(error, error.id);
    return { action: 'nack', requeue: true, reason: 'claim-lost', delayMs: this.opts.requeueDelayMs, error };
  }

  private unavailable(err: unknown, id: string): Settlement {
    const error = err instanceof RedisUnavailableError ? err : toRedisError(err, 'idempotency');
    this.stats.unavailable++;
    this.report(error, id);
    return { action: 'nack', requeue: true, reason: 'unavailable', delayMs: this.closing ? 0 : this.opts.requeueDelayMs, error };
  }

  private report(err: Error, id: string | undefined): void {
    try {
      this.opts.onError(err, id);
    } catch {
      // A throwing error hook must not leave a message unsettled.
    }
  }
}

/** Wait for the rest of the other owner's lease, capped; unknown TTL (-1, -2) waits the cap. */
function busyDelay(ttlMs: number, capMs: number): number {
  return ttlMs > 0 ? Math.min(capMs, ttlMs + 10) : capMs;
}

function safeId<M>(idOf: (m: M) => string | undefined, message: M): string | undefined {
  try {
    const id = idOf(message);
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
