// Claims across several independent Redis servers with Redlock: a claim holds when a majority of the
// servers took it (redlock's acquire, SET-if-absent PX on each), so one server down or restarted empty
// does not break deduplication. Costs per message: acquire (1 round, all servers in parallel), fence
// (2 rounds), mark done (1 round).
//
// Fencing across independent counters: each claim INCRs the counter on every server, takes the largest
// answer from a majority, then raises a majority's counters to that value before the handler runs. Any
// later claim's majority shares a server with that raised majority, so its token is larger.
//
// "Done" on any one server is believed: a done marker is only written by a consumer whose handler
// finished. Mark-done writes it to every server that holds our claim or nothing (so a server that
// restarted empty or lost a split vote gets it too), and a claim that finds it on some servers but not
// others copies it over (read repair): a restarted server cannot lead a quorum to forget it.
import Redlock, { ExecutionError, ResourceLockedError, type Lock } from 'redlock';
import type { Redis } from 'ioredis';
import { answered, askAll, closeRedis, connectRedis, quorumOf, RedisUnavailableError, toRedisError, whenReady, type OwnedRedis, type RedisConnectOptions, type RedisTarget, type Vote } from '../redis/index.js';
import type { Claim, ClaimOutcome, ClaimStore } from './claim-store.js';
import { doneValue, type KeySpace } from './keys.js';
import { FENCE_INCR, FENCE_RAISE, MARK_DONE, status, STATUS } from './scripts.js';

class RedlockClaim implements Claim {
  constructor(
    readonly id: string,
    readonly key: string,
    readonly token: string,
    readonly fence: number,
    public lock: Lock,
  ) {}
}

function ours(claim: Claim): RedlockClaim {
  if (!(claim instanceof RedlockClaim)) throw new TypeError('claim was not made by this RedlockStore');
  return claim;
}

export class RedlockStore implements ClaimStore {
  private readonly redis: OwnedRedis[];
  private readonly clients: Redis[];
  private readonly redlock: Redlock;
  private readonly quorum: number;
  private readonly initial: Promise<unknown>;

  constructor(
    targets: readonly RedisTarget[],
    private readonly keys: KeySpace,
    connect: RedisConnectOptions,
  ) {
    this.redis = targets.map((t) => connectRedis(t, connect));
    this.clients = this.redis.map((r) => r.client);
    this.quorum = quorumOf(this.clients.length);
    // The first claim waits until a quorum has connected (or every server has had its connect timeout).
    this.initial = new Promise<void>((resolve) => {
      let ready = 0;
      let settled = 0;
      for (const r of this.redis) {
        void r.initial.then(() => {
          settled++;
          if (r.client.status === 'ready') ready++;
          if (ready >= this.quorum || settled === this.redis.length) resolve();
        });
      }
    });
    this.redlock = new Redlock(this.clients, { retryCount: 0 });
    // redlock emits every vote against (busy or unreachable) as 'error'; we count votes ourselves, and an
    // EventEmitter without an 'error' listener would throw.
    this.redlock.on('error', () => undefined);
  }

  async claim(id: string, leaseMs: number): Promise<ClaimOutcome> {
    await this.initial;
    const key = this.keys.message(id);
    let lock: Lock;
    try {
      lock = await this.redlock.acquire([key], leaseMs, { retryCount: 0 });
    } catch (err) {
      return this.whyNotClaimed(key, err);
    }
    try {
      const fence = await this.nextFence();
      return { kind: 'claimed', claim: new RedlockClaim(id, key, lock.value, fence, lock) };
    } catch (err) {
      await this.redlock.release(lock, { retryCount: 0 }).catch(() => undefined);
      throw err;
    }
  }

  async renew(claim: Claim, leaseMs: number): Promise<boolean> {
    const c = ours(claim);
    try {
      c.lock = await this.redlock.extend(c.lock, leaseMs, { retryCount: 0 });
      return true;
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw toRedisError(err, 'idempotency.renew');
      const stats = err.attempts[0];
      if (stats === undefined) return false; // expired locally already
      const { votesAgainst, quorumSize } = await stats;
      const taken = [...votesAgainst.values()].filter((e) => e instanceof ResourceLockedError).length;
      if (taken >= quorumSize) return false;
      throw this.unavailable('idempotency.renew', [...votesAgainst.values()]);
    }
  }

  async markDone(claim: Claim, retentionMs: number): Promise<boolean> {
    const c = ours(claim);
    const done = doneValue(c.fence, c.token);
    const votes = await askAll(this.clients, (r) => MARK_DONE.run(r, [c.key], [c.token, done, retentionMs]));
    const yes = answered(votes).filter((v) => v === 1).length;
    if (yes >= this.quorum) return true;
    const unreachable = votes.filter((v) => !v.ok).length;
    if (yes + unreachable < this.quorum) return false; // a majority holds someone else's claim or done
    throw this.unavailable('idempotency.mark-done', errors(votes));
  }

  async release(claim: Claim): Promise<boolean> {
    try {
      await this.redlock.release(ours(claim).lock, { retryCount: 0 });
      return true;
    } catch {
      return false; // best effort: the claim expires after its lease anyway
    }
  }

  async ready(timeoutMs: number): Promise<void> {
    const votes = await askAll(this.clients, (c) => whenReady(c, timeoutMs));
    if (answered(votes).length < this.quorum) throw this.unavailable('idempotency: connecting', errors(votes));
  }

  async close(): Promise<void> {
    await Promise.all(this.redis.map(closeRedis));
  }

  /** After a failed acquire: done somewhere, claimed by someone, or too few servers answering. */
  private async whyNotClaimed(key: string, err: unknown): Promise<ClaimOutcome> {
    if (!(err instanceof ExecutionError)) throw toRedisError(err, 'idempotency.claim');
    const votes = await askAll(this.clients, async (c) => status(await STATUS.run(c, [key], [])));
    const states = answered(votes);
    const done = states.find((s) => s.code === 1);
    if (done !== undefined) {
      await this.repair(key, votes, done);
      return { kind: 'done' };
    }
    if (states.length < this.quorum) throw this.unavailable('idempotency.claim', errors(votes));
    // Claimed elsewhere, or a competing acquire split the votes: wait out the longest claim seen.
    return { kind: 'busy', ttlMs: Math.max(-1, ...states.map((s) => s.ttlMs)) };
  }

  /**
   * Copies a done marker to the servers that answered "free" (restarted empty, or missed the mark-done),
   * so that it is soon held by a majority again and a later claim cannot win a quorum without it.
   */
  private async repair(key: string, votes: readonly Vote<{ code: number }>[], done: { ttlMs: number; value?: string }): Promise<void> {
    if (done.value === undefined || done.ttlMs <= 0) return;
    const empty = votes.flatMap((v) => (v.ok && v.value.code === 0 ? [v.client] : []));
    await askAll(empty, (c) => c.set(key, done.value!, 'PX', done.ttlMs, 'NX'));
  }

  private async nextFence(): Promise<number> {
    const key = this.keys.fence;
    const incr = await askAll(this.clients, (c) => FENCE_INCR.run(c, [key], []));
    const values = answered(incr).map(Number);
    if (values.length < this.quorum) throw this.unavailable('idempotency.fence', errors(incr));
    const fence = Math.max(...values);
    const raise = await askAll(this.clients, (c) => FENCE_RAISE.run(c, [key], [fence]));
    if (answered(raise).length < this.quorum) throw this.unavailable('idempotency.fence', errors(raise));
    return fence;
  }

  private unavailable(what: string, causes: readonly unknown[]): RedisUnavailableError {
    const detail = causes.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
    return new RedisUnavailableError(`${what}: no quorum of ${this.quorum} among ${this.clients.length} Redis servers (${detail})`, { cause: causes[0] });
  }
}

function errors(votes: readonly Vote<unknown>[]): unknown[] {
  return votes.flatMap((v) => (v.ok ? [] : [v.error]));
}
