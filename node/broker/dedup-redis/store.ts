// The seen-values caches of the deduplication exchanges, in one Redis shared by every node configured with
// it: nodes drop each other's duplicates, and the caches outlive node restarts. Key layout in keys.ts.
//
// One script run per check (scripts.ts), on a client with auto-pipelining, so the checks of the publishes
// read in one event-loop turn share a write.
//
// Lost replies. A check whose reply never came (timeout, dropped connection) may have run. Each check has
// a token unique to this node and check, and the script stores it as the value; a key that already holds
// the caller's own token reads as "not seen", so retrying a check cannot take its own earlier write for a
// duplicate and drop a message that was never routed. A check that may have recorded its value but whose
// message is not routed after all (rejected, its channel closed, the route changed) is withdrawn: a
// release deletes the value if it still holds that token, so the publisher's retry is not dropped as a
// duplicate of a message that went nowhere.
//
// Order. Releases and drops (exchange deleted) are chores that go out before any check issued after them,
// on the same connection, so Redis applies them first. In wait mode, checks that met an unavailable Redis
// are parked in the order they were first issued, and new checks park behind them; they are retried
// together, in that order, with backoff and as soon as the client reconnects. In reject mode they fail.
//
// What a crash leaves behind: a node killed between a check and the enqueue of its message (or while the
// message waits behind earlier publishes of its channel) leaves the value recorded with nothing routed,
// and the publisher's retry of that unconfirmed message is dropped as a duplicate until the value expires
// or is evicted: the same window as the node-local cache with x-cache-persistence disk.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  backoffDelay,
  closeRedis,
  connectRedis,
  RedisCommandError,
  RedisUnavailableError,
  toRedisError,
  type OwnedRedis,
} from '../../../shared/redis/index.js';
import { Availability } from './availability.js';
import type { DedupKeys } from './keys.js';
import { CHECK, DROP, RELEASE } from './scripts.js';
import { StoreCheck, type CheckRunner } from './store-check.js';

const MIN_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;
/** At shutdown, the longest wait for the last releases and drops to be answered. */
const CLOSE_WAIT_MS = 1000;

type Chore = (client: Redis) => Promise<unknown>;

export interface DedupStoreOptions {
  readonly url: string;
  readonly log: Logger;
  /** Names this node in every token (readable in redis-cli). */
  readonly node: string;
  /** What publishes do while Redis is unavailable, for the log. */
  readonly mode: 'wait' | 'reject';
}

export class RedisDedupStore implements CheckRunner {
  private readonly redis: OwnedRedis;
  private readonly instance: string;
  private issued = 0;
  /** Wait-mode checks that met an unavailable Redis, in issue order. */
  private parked: StoreCheck[] = [];
  /** Releases and drops not sent yet. */
  private chores: Chore[] = [];
  /** Settles when the chores sent last (and so every chore before them) are answered. */
  private choresSent: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private closed = false;
  readonly availability: Availability;

  constructor(private readonly o: DedupStoreOptions) {
    this.instance = `${o.node}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.availability = new Availability(o.log, o.mode, () => this.parked.length);
    this.redis = connectRedis(o.url, {
      autoPipelining: true,
      name: 'warren-dedup',
      minBackoffMs: MIN_RETRY_MS,
      maxBackoffMs: MAX_RETRY_MS,
      onError: (err) => this.availability.warn(err),
    });
    this.redis.client.on('ready', () => {
      // Loaded ahead of any command on this connection: a script's first EVALSHA answered NOSCRIPT would
      // be sent again as EVAL after the reply, behind commands issued later, and lose its place.
      for (const script of [CHECK, RELEASE, DROP]) this.redis.client.script('LOAD', script.source).catch(() => undefined);
      this.up();
      this.retry();
    });
  }

  /** Waits, bounded by the connect timeout, for the first connection, and logs whether it came. */
  async start(): Promise<void> {
    await this.redis.initial;
    const { host, port } = this.redis.client.options;
    if (this.ready) this.o.log.info({ redis: `${host}:${port}`, mode: this.o.mode }, 'deduplication caches kept in Redis');
    else this.o.log.warn({ redis: `${host}:${port}`, mode: this.o.mode }, 'Redis for the deduplication caches not reachable yet; retrying');
  }

  private get ready(): boolean {
    return this.redis.client.status === 'ready';
  }

  /** Has the exchange with these keys seen `value`? Recorded (for ttlMs, or until evicted) if not. */
  check(keys: DedupKeys, value: string, ttlMs: number | null, size: number, wait: boolean): StoreCheck {
    const seq = ++this.issued;
    const c = new StoreCheck(this, seq, `${this.instance}:${seq}`, keys, value, ttlMs, size, wait);
    if (wait && this.parked.length > 0) this.park(c);
    else this.send(c);
    return c;
  }

  /** The exchange was deleted: its keys go, before any check issued after this. */
  drop(keys: DedupKeys): void {
    this.chore((client) => DROP.run(client, [keys.order, keys.seq], [keys.seen]));
  }

  withdraw(c: StoreCheck): void {
    if (c.answer === false) return;
    const i = this.parked.indexOf(c);
    if (i >= 0) this.parked.splice(i, 1);
    // Even in flight: the release goes out behind every try of the check already sent, and ahead of any
    // check issued from now on (another publish's check of the same value must not see this one's token)
    this.release(c);
  }

  private send(c: StoreCheck): void {
    if (this.closed) return c.failed(new RedisUnavailableError('deduplication: the node is shutting down'));
    if (!this.ready) return this.giveUpOrPark(c, new RedisUnavailableError(`Redis unavailable (connection ${this.redis.client.status})`));
    this.runChores();
    c.sent = true;
    CHECK.run(this.redis.client, [c.seenKey, c.keys.order, c.keys.seq], [c.token, c.ttlMs ?? 0, c.size, c.keys.seen, c.value]).then(
      (reply) => this.answered(c, reply),
      (err: unknown) => this.failed(c, err),
    );
  }

  private answered(c: StoreCheck, reply: unknown): void {
    if (reply !== 0 && reply !== 1) return this.failed(c, new RedisCommandError(`${CHECK.name}: unexpected reply ${JSON.stringify(reply)}`));
    this.up();
    if (!c.withdrawn) c.answered(reply === 0);
  }

  private failed(c: StoreCheck, err: unknown): void {
    const e = toRedisError(err, CHECK.name);
    if (e instanceof RedisUnavailableError) return this.giveUpOrPark(c, e);
    // Redis answered with an error (a bug or a misconfiguration): retrying will not help
    this.o.log.error({ err: e.message }, 'deduplication check failed');
    this.release(c);
    if (!c.withdrawn) c.failed(e);
  }

  private giveUpOrPark(c: StoreCheck, e: RedisUnavailableError): void {
    this.availability.failed(e);
    if (c.wait && !c.withdrawn) return this.park(c);
    // given up: what this try may have recorded is undone once Redis is back
    this.release(c);
    if (!c.withdrawn) c.failed(e);
  }

  private release(c: StoreCheck): void {
    if (!c.sent || c.released) return;
    c.released = true;
    this.chore((client) => RELEASE.run(client, [c.seenKey, c.keys.order], [c.token, c.value]));
  }

  private chore(chore: Chore): void {
    this.chores.push(chore);
    this.runChores();
  }

  /** Sends the chores if Redis is there; one that meets an outage waits for the next retry. */
  private runChores(): void {
    if (this.chores.length === 0 || !this.ready) return;
    const chores = this.chores;
    this.chores = [];
    const sent = chores.map((chore) =>
      chore(this.redis.client).then(
        () => this.up(),
        (err: unknown) => {
          const e = toRedisError(err, 'deduplication cleanup');
          if (!(e instanceof RedisUnavailableError)) return void this.o.log.error({ err: e.message }, 'deduplication cleanup failed');
          this.availability.failed(e);
          this.chores.push(chore);
          this.scheduleRetry();
        },
      ),
    );
    this.choresSent = Promise.all(sent);
  }

  private park(c: StoreCheck): void {
    // a check that failed late may have been issued before some already parked: keep issue order
    let i = this.parked.length;
    while (i > 0 && this.parked[i - 1]!.seq > c.seq) i--;
    this.parked.splice(i, 0, c);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || this.closed) return;
    this.retryTimer = setTimeout(() => this.retry(), backoffDelay(++this.attempt, MIN_RETRY_MS, MAX_RETRY_MS));
    this.retryTimer.unref();
  }

  /** Sends what waits for Redis: chores first, then the parked checks in their order. */
  private retry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.ready) {
      // the reconnect ('ready') retries at once; the timer covers a connection that is up but not answering
      if (this.parked.length > 0 || this.chores.length > 0) this.scheduleRetry();
      return;
    }
    this.runChores();
    const parked = this.parked;
    this.parked = [];
    for (const c of parked) this.send(c);
  }

  private up(): void {
    this.attempt = 0;
    this.availability.answered();
  }

  /** Shutdown: parked checks fail, chores are sent if Redis is there, then the connection closes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const parked = this.parked;
    this.parked = [];
    for (const c of parked) c.failed(new RedisUnavailableError('deduplication: the node is shutting down'));
    this.runChores();
    // QUIT is not pipelined: it would overtake the chores still queued for the next write
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.choresSent, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
    await closeRedis(this.redis);
  }
}
