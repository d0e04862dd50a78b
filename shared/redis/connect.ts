// One place that decides how Warren talks to a Redis server. The choices matter for correctness:
// - no offline queue: a command issued while disconnected fails at once instead of waiting, so callers
//   learn "Redis unavailable" immediately and never act on a stale answer;
// - no retry or resend of in-flight commands after a reconnect (maxRetriesPerRequest 0,
//   autoResendUnfulfilledCommands false): a non-idempotent script (a claim, an INCR) must not run twice
//   behind the caller's back;
// - reconnect forever with exponential backoff capped at maxBackoffMs, so Redis coming back is noticed
//   within that bound.
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisEndpoint {
  readonly host?: string;
  readonly port: number;
  readonly password?: string;
  readonly db?: number;
}

/** A redis:// URL, a host/port, or a client the caller already made (used as is, not closed by us). */
export type RedisTarget = string | RedisEndpoint | Redis;

export interface RedisConnectOptions {
  /** Longest wait between reconnect attempts (default 2000 ms). */
  readonly maxBackoffMs?: number;
  /** First reconnect wait, doubled per attempt (default 50 ms). */
  readonly minBackoffMs?: number;
  readonly connectTimeoutMs?: number;
  /** A command with no reply after this long fails as unavailable (default 2000 ms). */
  readonly commandTimeoutMs?: number;
  /** Batch commands issued in the same tick into one write (ioredis auto-pipelining). */
  readonly autoPipelining?: boolean;
  /** CLIENT SETNAME, visible in CLIENT LIST. */
  readonly name?: string;
  /** Connection-level errors (ECONNREFUSED while reconnecting...). They repeat; callers may rate-limit. */
  readonly onError?: (err: Error) => void;
}

/** Delay before reconnect attempt `attempt` (1-based): min * 2^(attempt-1), capped at max. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
}

export interface OwnedRedis {
  readonly client: Redis;
  /** True when we made the client and so must close it. */
  readonly owned: boolean;
  /**
   * Settles at the first 'ready' or after the connect timeout, whichever comes first; never rejects.
   * Await it before a command so the first commands wait for the initial connection instead of failing
   * fast as "unavailable" (later disconnections still fail fast).
   */
  readonly initial: Promise<void>;
}

export function connectRedis(target: RedisTarget, opts: RedisConnectOptions = {}): OwnedRedis {
  const initialWait = (opts.connectTimeoutMs ?? 2000) + 100;
  if (target instanceof Redis) return { client: target, owned: false, initial: whenReady(target, initialWait).catch(() => undefined) };
  const minMs = opts.minBackoffMs ?? 50;
  const maxMs = opts.maxBackoffMs ?? 2000;
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: opts.autoPipelining ?? false,
    connectTimeout: opts.connectTimeoutMs ?? 2000,
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    retryStrategy: (attempt) => backoffDelay(attempt, minMs, maxMs),
    // A READONLY reply means we reached a replica after a failover: reconnect to find the primary.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    ...(opts.name === undefined ? {} : { connectionName: opts.name }),
  };
  const client =
    typeof target === 'string'
      ? new Redis(target, options)
      : new Redis({
          ...options,
          host: target.host ?? '127.0.0.1',
          port: target.port,
          ...(target.password === undefined ? {} : { password: target.password }),
          ...(target.db === undefined ? {} : { db: target.db }),
        });
  // Without a listener ioredis prints every reconnect failure to the console.
  client.on('error', (err: Error) => opts.onError?.(err));
  return { client, owned: true, initial: whenReady(client, initialWait).catch(() => undefined) };
}

/** Resolves when the client is ready; rejects after timeoutMs (the client keeps reconnecting). */
export function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** QUIT politely, then disconnect if the server does not answer. */
export async function closeRedis(r: OwnedRedis): Promise<void> {
  if (!r.owned || r.client.status === 'end') return;
  if (r.client.status !== 'ready') {
    r.client.disconnect();
    return;
  }
  await Promise.race([r.client.quit().catch(() => undefined), new Promise((res) => setTimeout(res, 500))]);
  r.client.disconnect();
}
