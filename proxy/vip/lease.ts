import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { Logger } from '../../shared/log.js';

/**
 * The VIP lease in Redis: the fence that keeps a stale active from serving.
 *
 * Acquire is `SET lease "<id>:<epoch>" NX PX ttl` with the epoch from `INCR epoch`, both in one script so a
 * crash cannot leave a lease without its epoch. The active renews every advert interval (PEXPIRE only if
 * the value is still its own); release deletes it only if still its own.
 *
 * What makes it a fence is the local deadline. Before each acquire or renew we note the monotonic time; if
 * Redis answers yes, the lease is valid here until that time + ttl, less a margin for clock-rate drift.
 * Redis expires the key no earlier than ttl after it received the command, which is after we sent it, so
 * our deadline passes before anyone else can win the key. The controller checks the deadline on every new
 * connection and every tick, synchronously: a process that was paused (SIGSTOP, a VM freeze, a long GC) or
 * cut off from Redis finds the deadline behind it on the first event after it resumes and drops the VIP
 * before it serves anything, without waiting for a round trip to Redis.
 *
 * Redis down means nobody can hold the lease: the active drops the VIP when its deadline passes and no
 * proxy serves until Redis is back. That is the price of never having two actives.
 */
export interface Lease {
  /** Tries to take the lease; resolves the new epoch, or 0 if someone else holds it (or Redis is unreachable). */
  acquire(): Promise<number>;
  /** Extends our lease; false if it is no longer ours (then stop serving at once). Throws when Redis is unreachable. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
  /** Whether our lease is known valid at this monotonic time (ms). */
  validAt(now: number): boolean;
  readonly epoch: number;
  close(): Promise<void>;
}

const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. ':' then return 0 end
local epoch = redis.call('INCR', KEYS[2])
if cur then
  redis.call('SET', KEYS[1], ARGV[1] .. ':' .. epoch, 'PX', ARGV[2])
elseif not redis.call('SET', KEYS[1], ARGV[1] .. ':' .. epoch, 'NX', 'PX', ARGV[2]) then
  return 0
end
return epoch`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisLease implements Lease {
  epoch = 0;
  private validUntil = -Infinity;
  private readonly redis: Redis;
  private readonly leaseKey: string;
  private readonly epochKey: string;

  constructor(
    url: string,
    group: string,
    private readonly id: string,
    private readonly ttl: number,
    timeout: number,
    private readonly log: Logger,
  ) {
    this.leaseKey = `warren-proxy:${group}:lease`;
    this.epochKey = `warren-proxy:${group}:epoch`;
    let warned = false;
    this.redis = new Redis(url, {
      // Fail fast: a command that cannot be sent now is a failed renewal, not a queued one.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: Math.max(timeout, 200),
      commandTimeout: timeout,
      retryStrategy: () => Math.min(timeout, 1000),
      lazyConnect: false,
    });
    this.redis.on('error', (e: Error) => {
      if (!warned) this.log.warn({ err: e.message }, 'redis unreachable; the VIP lease cannot be held');
      warned = true;
    });
    this.redis.on('ready', () => {
      if (warned) this.log.info('redis reachable again');
      warned = false;
    });
  }

  /** ms of the ttl we do not rely on: clock-rate drift (1%) plus a little scheduling slack. */
  private get margin(): number {
    return Math.ceil(this.ttl * 0.01) + 5;
  }

  validAt(now: number): boolean {
    return this.epoch > 0 && now < this.validUntil;
  }

  async acquire(): Promise<number> {
    const sent = performance.now();
    try {
      const epoch = Number(await this.redis.eval(ACQUIRE, 2, this.leaseKey, this.epochKey, this.id, String(this.ttl)));
      if (epoch > 0) {
        this.epoch = epoch;
        this.validUntil = sent + this.ttl - this.margin;
      }
      return epoch;
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'lease acquire failed');
      return 0;
    }
  }

  async renew(): Promise<boolean> {
    if (this.epoch === 0) return false;
    const sent = performance.now();
    const ok = Number(await this.redis.eval(RENEW, 1, this.leaseKey, `${this.id}:${this.epoch}`, String(this.ttl))) === 1;
    if (ok) this.validUntil = sent + this.ttl - this.margin;
    else this.forget();
    return ok;
  }

  async release(): Promise<void> {
    const value = `${this.id}:${this.epoch}`;
    const had = this.epoch > 0;
    this.forget();
    if (!had) return;
    try {
      await this.redis.eval(RELEASE, 1, this.leaseKey, value);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'lease release failed; it expires by itself');
    }
  }

  forget(): void {
    this.epoch = 0;
    this.validUntil = -Infinity;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
