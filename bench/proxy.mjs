// Issue 7's comparison: scenarios (a) and (c) against one Warren node directly, through warren-proxy and
// through HAProxy, in the same run, the order rotating every repeat; the table shows medians, as single
// runs on a shared 2-core machine swing widely.
// - Throughput: flat out, one path at a time. Latency in these runs is queueing, shown as such.
// - Latency below saturation: the producer paced far below what any path sustains, so a message waits
//   for nothing but the hops and the machine. Each path runs in a pair with a direct run at the same
//   time (own queues): the machine's hiccups, which make a p99 on a shared 2-core machine, then hit both,
//   and what the path adds is the pair's difference. A pair of two direct runs is the control: its
//   difference is the noise floor of an "added" latency.
// WARREN_BENCH_PROXY_BASELINE=DIR adds the warren-proxy built in DIR (e.g. a worktree of an older commit).
import { loadavg } from 'node:os';
import { measure } from './measure.mjs';
import { startHAProxy, startWarrenProxy } from './proxies.mjs';
import { formatProxyReport } from './proxy-table.mjs';
import { SCENARIOS } from './scenarios.mjs';

/** Per-producer msg/s of the paced runs: a few % of what each path does flat out here (a ~250k/s, c ~40k/s). */
const PACED_RATE = { a: 2000, c: 1000 };
/** Seconds per paced run: 5,000-10,000 latency samples, and short slots let the paths alternate often. */
const PACED_SECONDS = 5;

const pause = () => new Promise((res) => setTimeout(res, 1000));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const rotate = (xs, r) => xs.map((_, i) => xs[(i + r) % xs.length]);

/** Returns the report (text). opts: { root, tool, warren, seconds, warmup, repeat, log, raw } */
export async function proxyBench(opts) {
  const { warren, repeat } = opts;
  const header = [`\n## proxies: scenarios a and c direct / via warren-proxy / via HAProxy, one Warren node; medians of ${repeat} repeats`,
    `load average ${load()} at start`];
  const started = [];
  try {
    const wp = await startWarrenProxy(opts.root, warren);
    started.push(wp);
    const baselineRoot = process.env.WARREN_BENCH_PROXY_BASELINE;
    const baseline = baselineRoot ? await startWarrenProxy(baselineRoot, warren) : null;
    if (baseline) started.push(baseline);
    const hap = await startHAProxy(warren).catch((e) => ({ skipped: e.message }));
    if (!hap.skipped) started.push(hap);
    header.push(`warren-proxy: ${wp.note}`, ...(baseline ? [`baseline: warren-proxy built in ${baselineRoot}, ${baseline.note}`] : []),
      `HAProxy: ${hap.skipped ? `not measured (${hap.skipped})` : hap.note}`);
    const direct = { label: 'direct', broker: warren };
    const proxied = [{ label: 'warren-proxy', broker: wp }, ...(baseline ? [{ label: 'baseline', broker: { ...baseline, name: 'baseline' } }] : []),
      ...(hap.skipped ? [] : [{ label: 'HAProxy', broker: hap }])];
    // the control has its own name, hence its own queue
    const control = { label: 'direct again', broker: { ...warren, name: 'Warren-again' } };
    const runs = [];
    /** Runs the paths at the same time; `pair` names what a paced pair compares with direct. */
    const run = async (s, kind, rep, paths, pair) => {
      const ms = await Promise.all(paths.map((p) => measure(s, p.broker, opts.tool, opts)));
      paths.forEach((p, i) => {
        opts.raw.push({ scenario: `proxy-${s.key}-${kind}`, path: p.label, results: ms[i].results });
        runs.push({ scenario: s.key, kind, path: p.label, rep, pair, pid: p.broker.pid, value: ms[i].rows[0].value, result: ms[i].results[0] });
      });
      await pause();
    };
    for (const s of SCENARIOS.filter((x) => x.key === 'a' || x.key === 'c')) {
      const paced = { ...s, runs: [(ctx) => [...s.runs[0]({ ...ctx, seconds: PACED_SECONDS }), '--rate', String(PACED_RATE[s.key])]] };
      for (let r = 0; r < repeat; r++) {
        for (const p of rotate([direct, ...proxied], r)) await run(s, 'saturation', r, [p]);
        for (const p of rotate([control, ...proxied], r)) await run(paced, 'paced', r, [direct, p], p.label);
      }
    }
    header.push(`load average ${load()} at end`);
    return [...header, '', formatProxyReport(runs, [direct, control, ...proxied].map((p) => p.label), PACED_RATE)].join('\n');
  } finally {
    for (const p of started) await p.stop();
  }
}
