import { cpus } from 'node:os';
import { Histogram } from './histogram.js';
import type { PerfOptions } from './options.js';
import type { Window, WorkerResult } from './stats.js';

/** Adds up the workers' results. */
export function mergeResults(results: WorkerResult[]): { sum: Omit<WorkerResult, 'latency' | 'confirmLatency'>; latency: Histogram; confirmLatency: Histogram } {
  const latency = new Histogram();
  const confirmLatency = new Histogram();
  const sum = {
    pubTotal: 0, pubWin: 0, confTotal: 0, confWin: 0, nackTotal: 0, consTotal: 0, consWin: 0, bad: 0, redelivered: 0,
    returned: 0, blockedEvents: 0, targetWin: 0, firstConsumed: 0, lastConsumed: 0, errors: [] as string[],
  };
  for (const r of results) {
    for (const k of ['pubTotal', 'pubWin', 'confTotal', 'confWin', 'nackTotal', 'consTotal', 'consWin', 'bad', 'redelivered', 'returned', 'blockedEvents', 'targetWin'] as const) {
      sum[k] += r[k];
    }
    if (r.firstConsumed > 0 && (sum.firstConsumed === 0 || r.firstConsumed < sum.firstConsumed)) sum.firstConsumed = r.firstConsumed;
    sum.lastConsumed = Math.max(sum.lastConsumed, r.lastConsumed);
    sum.errors.push(...r.errors);
    latency.merge(r.latency);
    confirmLatency.merge(r.confirmLatency);
  }
  return { sum, latency, confirmLatency };
}

export interface RunFacts {
  win: Window;
  /** When sampling stopped: the window's end, or earlier when every client had finished. */
  sampledUntil: number;
  windowSeconds: number;
  toolCpuSeconds: number;
  pids: Record<string, number>;
  ready: number;
  failed: number;
  stuck: number;
  runSeconds: number;
}

/** The final JSON line; field names follow amqpload's so the two tools' results read alike. */
export function resultJson(o: PerfOptions, results: WorkerResult[], f: RunFacts): Record<string, unknown> {
  const { sum, latency, confirmLatency } = mergeResults(results);
  let rwin = o.seconds;
  if (f.sampledUntil < f.win.w1) rwin = f.sampledUntil > f.win.w0 ? (f.sampledUntil - f.win.w0) / 1000 : f.windowSeconds;
  const rate = (n: number): number => (rwin > 0 ? Math.round(n / rwin) : 0);
  const out: Record<string, unknown> = {
    tool: 'warren-perf',
    label: o.label,
    params: {
      producers: o.producers, consumers: o.consumers, size: o.size, seconds: o.seconds, warmup: o.warmup, queues: o.queues,
      exchange: o.exchange, durable: o.durable, persistent: o.persistent, confirm: o.confirm, prefetch: o.prefetch,
      autoack: o.autoack, ack_every: o.ackEvery, rate: o.rate, priority_random: o.priorityRandom, batch: o.batch,
      port: o.port, count: o.count,
    },
    published_per_s: rate(sum.pubWin),
    confirmed_per_s: rate(sum.confWin),
    consumed_per_s: rate(sum.consWin),
  };
  if (o.consumeOnly && sum.lastConsumed > 0) {
    const drainS = (sum.lastConsumed - f.win.t0) / 1000;
    out['drain_per_s'] = Math.round(sum.consTotal / drainS);
    out['drain_s'] = Math.round(drainS * 1000) / 1000;
  }
  if (o.rate > 0) out['target_per_s'] = rate(sum.targetWin);
  out['latency_ms'] = latency.summary();
  if (o.confirm > 0) out['confirm_latency_ms'] = confirmLatency.summary();
  out['totals'] = {
    published: sum.pubTotal, confirmed: sum.confTotal, nacked: sum.nackTotal, returned: sum.returned, consumed: sum.consTotal,
    bad_bodies: sum.bad, redelivered: sum.redelivered, published_in_window: sum.pubWin, confirmed_in_window: sum.confWin,
    consumed_in_window: sum.consWin,
  };
  out['cpu'] = {
    window_s: Math.round(f.windowSeconds * 100) / 100,
    tool_pct: f.windowSeconds > 0 ? Math.round((f.toolCpuSeconds / f.windowSeconds) * 1000) / 10 : -1,
    ncpu: cpus().length,
    ...f.pids,
  };
  out['blocked'] = { events: sum.blockedEvents };
  out['ready'] = f.ready;
  out['failed'] = f.failed;
  out['stuck'] = f.stuck;
  out['errors'] = sum.errors.length;
  out['error_text'] = sum.errors.slice(0, 5).join('; ');
  out['run_s'] = Math.round(f.runSeconds * 100) / 100;
  return out;
}

/** One progress line (stderr): rates over the last second and totals. */
export function progressLine(elapsedS: number, rates: number[], totals: number[]): string {
  const k = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(Math.round(n)));
  const [p = 0, c = 0, d = 0] = rates;
  const [tp = 0, tc = 0, td = 0] = totals;
  return `warren-perf ${elapsedS.toFixed(0).padStart(4)}s  published ${k(p)}/s  confirmed ${k(c)}/s  consumed ${k(d)}/s  (totals ${tp} / ${tc} / ${td})`;
}
