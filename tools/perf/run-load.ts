import { Worker } from 'node:worker_threads';
import { now, sleepUntil } from './clock.js';
import { PidMonitor } from './monitor.js';
import type { PerfOptions } from './options.js';
import { progressLine, resultJson } from './report.js';
import { declareTopology, deleteTopology } from './setup.js';
import { PROGRESS_SLOTS, type Window, type WorkerResult } from './stats.js';
import type { FromWorker, WorkerInit } from './worker.js';

type Roles = WorkerInit['roles'];

/**
 * Spreads clients over worker threads so a fast producer and its consumer do not share one event loop
 * (amqpload gives every client a thread; Node threads cost more, so beyond 8 clients it uses 4). Producers
 * and consumers get threads of their own in proportion to their numbers.
 */
export function assignThreads(o: PerfOptions): Roles[] {
  const P = o.producers;
  const C = o.consumers;
  const total = P + C;
  if (total === 0) return [];
  const T = o.threads > 0 ? Math.min(o.threads, total) : total <= 8 ? total : 4;
  let pt = P === 0 ? 0 : Math.max(1, Math.round((T * P) / total));
  if (C > 0 && pt >= T) pt = Math.max(T - 1, 1);
  const ct = T - pt;
  const threads: Roles[] = Array.from({ length: T }, () => []);
  for (let i = 0; i < P; i++) threads[i % Math.max(pt, 1)]!.push({ kind: 'producer', id: i });
  for (let j = 0; j < C; j++) threads[ct > 0 ? pt + (j % ct) : j % T]!.push({ kind: 'consumer', id: j });
  return threads.filter((t) => t.length > 0);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Runs producers and consumers for warmup + seconds and returns the result object. */
export async function runLoad(o: PerfOptions): Promise<Record<string, unknown>> {
  const started = now();
  if (o.declare) await declareTopology(o);
  const groups = assignThreads(o);
  const progress = new SharedArrayBuffer(Math.max(1, groups.length) * PROGRESS_SLOTS * 8);
  const workers = groups.map((roles, index) => {
    const init: WorkerInit = { options: o, roles, progress, index };
    return new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
  });
  const ready = workers.map((w) => new Promise<FromWorker>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  }));
  const results: (WorkerResult | null)[] = workers.map(() => null);
  const done = workers.map((w, i) => new Promise<void>((resolve) => {
    w.on('message', (m: FromWorker) => {
      if (m.type !== 'done') return;
      results[i] = m.result;
      resolve();
    });
    w.once('exit', () => resolve());
  }));
  const hello = await withTimeout(Promise.all(ready), 60_000, 'connecting the clients');
  const failed = hello.reduce((n, m) => n + (m.type === 'ready' ? m.failed : 0), 0);

  const t0 = now() + 20;
  const w0 = t0 + o.warmup * 1000;
  const w1 = w0 + o.seconds * 1000;
  const win: Window = { t0, w0, w1, hardStop: w1 + (o.drainMax + 20) * 1000 };
  for (const w of workers) w.postMessage({ type: 'go', window: win });

  const view = new Float64Array(progress);
  const totals = (): number[] => [0, 1, 2].map((s) => groups.reduce((n, _, i) => n + view[i * PROGRESS_SLOTS + s]!, 0));
  let last = totals();
  const ticker = o.quiet ? null : setInterval(() => {
    const cur = totals();
    console.error(progressLine((now() - t0) / 1000, cur.map((v, i) => v - last[i]!), cur));
    last = cur;
  }, 1000);

  const finished = Promise.all(done);
  await sleepUntil(w0);
  const monitor = new PidMonitor(o.monitorPids);
  monitor.start();
  const cpu0 = process.cpuUsage();
  const tw0 = now();
  await Promise.race([sleepUntil(w1), finished]);
  const cpu1 = process.cpuUsage(cpu0);
  const tw1 = now();
  const pids = monitor.stop();

  let stuck = 0;
  try {
    await withTimeout(finished, Math.max(1000, win.hardStop + 5000 - now()), 'finishing');
  } catch {
    stuck = results.filter((r) => r === null).length;
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (ticker) clearInterval(ticker);
  if (o.deleteAfter) await deleteTopology(o).catch((e: Error) => console.error(`warren-perf: delete-after: ${e.message}`));
  return resultJson(o, results.filter((r): r is WorkerResult => r !== null), {
    win,
    sampledUntil: tw1,
    windowSeconds: (tw1 - tw0) / 1000,
    toolCpuSeconds: (cpu1.user + cpu1.system) / 1e6,
    pids,
    ready: o.producers + o.consumers - failed,
    failed,
    stuck,
    runSeconds: (now() - started) / 1000,
  });
}
