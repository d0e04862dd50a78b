// Options of an IdempotentConsumer, their defaults, and their validation (a bad value throws at
// construction, naming the option).
import type { RedisConnectOptions, RedisTarget } from '../redis/index.js';
import { IdempotencyConfigError } from './errors.js';

export interface IdempotencyOptions {
  /** One Redis: claims are SET NX on it. Several independent servers: Redlock quorum claims across them. */
  readonly redis: RedisTarget | readonly RedisTarget[];
  /** Separates consumers that must each process a message once (one per service). Default "default". */
  readonly namespace?: string;
  /** Prefix of every key. Default "warren:idem:". */
  readonly keyPrefix?: string;
  /** How long a claim lives without renewal; a dead consumer's message is reprocessed after this. Default 30 s. */
  readonly leaseMs?: number;
  /** How often a running handler's claim is renewed. Default leaseMs / 3. */
  readonly renewIntervalMs?: number;
  /** How long "done" is remembered; a duplicate arriving later is processed again. Default 24 h. */
  readonly retentionMs?: number;
  /** Longest wait before requeueing a message that is busy elsewhere, or when Redis is unavailable. Default 1 s. */
  readonly requeueDelayMs?: number;
  /** Requeue (true, after requeueDelayMs) or reject (false: dead-letter or drop) when the handler throws. Default true. */
  readonly requeueOnFailure?: boolean;
  /** Tries at recording "done" while Redis is flaky, before giving up and requeueing. Default 3. */
  readonly markDoneAttempts?: number;
  /** How the Redis connections behave (reconnect backoff, timeouts, auto-pipelining). */
  readonly connect?: RedisConnectOptions;
  /** Every error the library meets while settling messages (typed: see errors.ts). */
  readonly onError?: (err: Error, id: string | undefined) => void;
}

export interface ResolvedOptions {
  readonly targets: readonly RedisTarget[];
  readonly namespace: string;
  readonly keyPrefix: string;
  readonly leaseMs: number;
  readonly renewIntervalMs: number;
  readonly retentionMs: number;
  readonly requeueDelayMs: number;
  readonly requeueOnFailure: boolean;
  readonly markDoneAttempts: number;
  readonly connect: RedisConnectOptions;
  readonly onError: (err: Error, id: string | undefined) => void;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) throw new IdempotencyConfigError(`invalid ${name}: ${String(value)} (expected an integer >= ${min})`);
  return v;
}

export function resolveOptions(o: IdempotencyOptions): ResolvedOptions {
  const targets = Array.isArray(o.redis) ? (o.redis as readonly RedisTarget[]) : [o.redis as RedisTarget];
  if (targets.length === 0) throw new IdempotencyConfigError('invalid redis: an empty list (expected one target, or several for Redlock)');
  const leaseMs = positiveInt('leaseMs', o.leaseMs, 30_000, 100);
  const renewIntervalMs = positiveInt('renewIntervalMs', o.renewIntervalMs, Math.floor(leaseMs / 3), 10);
  if (renewIntervalMs >= leaseMs) throw new IdempotencyConfigError(`invalid renewIntervalMs: ${renewIntervalMs} (must be below leaseMs ${leaseMs})`);
  const namespace = o.namespace ?? 'default';
  if (namespace === '' || namespace.includes(':')) throw new IdempotencyConfigError(`invalid namespace: "${namespace}" (non-empty, no ':')`);
  return {
    targets,
    namespace,
    keyPrefix: o.keyPrefix ?? 'warren:idem:',
    leaseMs,
    renewIntervalMs,
    retentionMs: positiveInt('retentionMs', o.retentionMs, 86_400_000),
    requeueDelayMs: positiveInt('requeueDelayMs', o.requeueDelayMs, 1000, 0),
    requeueOnFailure: o.requeueOnFailure ?? true,
    markDoneAttempts: positiveInt('markDoneAttempts', o.markDoneAttempts, 3),
    connect: o.connect ?? {},
    onError: o.onError ?? (() => undefined),
  };
}
