import type { Backend } from '../backend.js';
import type { BackendPool } from '../backend-pool.js';
import type { Frontend } from '../frontend.js';
import type { CheckResult } from '../health/result.js';
import type { VipStatus } from '../vip/controller.js';

/** Everything the stats page, /stats.json and /metrics show: one plain object taken at one moment. */
export interface StatsSnapshot {
  readonly proxy: { readonly pid: number; readonly uptimeMs: number; readonly ready: boolean; readonly rss: number; readonly heapUsed: number };
  readonly vip: VipStatus | null;
  readonly frontends: readonly FrontendStats[];
  readonly pools: readonly PoolStats[];
}

export interface SessionCounters {
  readonly cur: number;
  readonly max: number;
  readonly limit: number;
  readonly total: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface FrontendStats extends SessionCounters {
  readonly name: string;
  readonly pool: string;
  readonly listen: readonly string[];
  readonly status: 'OPEN' | 'STOP';
  readonly denied: number;
  readonly fenced: number;
}

export interface BackendStats extends SessionCounters {
  readonly name: string;
  readonly address: string;
  /** UP, DOWN, DRAIN, MAINT (HAProxy's words), with check progress such as "UP, going down 1/3". */
  readonly status: string;
  readonly up: boolean;
  readonly admin: 'ready' | 'drain' | 'maint';
  readonly weight: number;
  readonly effectiveWeight: number;
  readonly connectErrors: number;
  readonly checkFailures: number;
  readonly downTransitions: number;
  readonly check: (CheckResult & { readonly type: string }) | null;
  readonly lastChange: number;
  readonly downtimeMs: number;
}

export interface PoolStats extends SessionCounters {
  readonly name: string;
  readonly balance: string;
  readonly checkType: string;
  readonly status: 'UP' | 'DOWN';
  readonly healthy: number;
  readonly noBackend: number;
  readonly backends: readonly BackendStats[];
}

function backendStatus(b: Backend): string {
  if (b.admin === 'maint') return 'MAINT';
  const base = b.up ? (b.admin === 'drain' ? 'DRAIN' : 'UP') : 'DOWN';
  return b.checkProgress ? `${base}, ${b.checkProgress}` : b.rampingUp ? `${base}, slow start` : base;
}

export function backendStats(b: Backend, checkType: string): BackendStats {
  const c = b.counters;
  return {
    name: b.name,
    address: b.address,
    status: backendStatus(b),
    up: b.up,
    admin: b.admin,
    weight: b.config.weight,
    effectiveWeight: Math.round(b.effectiveWeight() * 100) / 100,
    cur: c.cur,
    max: c.max,
    limit: b.config.maxconn,
    total: c.total,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    connectErrors: b.connectErrors,
    checkFailures: b.checkFailures,
    downTransitions: b.downTransitions,
    check: b.lastCheck ? { ...b.lastCheck, type: checkType } : null,
    lastChange: b.lastChange,
    downtimeMs: b.downtimeNow(),
  };
}

export function poolStats(p: BackendPool): PoolStats {
  const c = p.counters;
  const healthy = p.healthyCount;
  return {
    name: p.name,
    balance: p.config.balance,
    checkType: p.config.check.type,
    status: healthy > 0 ? 'UP' : 'DOWN',
    healthy,
    noBackend: p.noBackend,
    cur: c.cur,
    max: c.max,
    limit: 0,
    total: c.total,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    backends: p.backends.map((b) => backendStats(b, p.config.check.type)),
  };
}

export function frontendStats(f: Frontend): FrontendStats {
  const c = f.counters;
  return {
    name: f.name,
    pool: f.config.pool,
    listen: f.listening ? f.addresses : f.config.listen.map((e) => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)),
    status: f.listening ? 'OPEN' : 'STOP',
    cur: c.cur,
    max: c.max,
    limit: f.config.maxconn,
    total: c.total,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    denied: f.denied,
    fenced: f.fenced,
  };
}
