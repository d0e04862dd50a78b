// Issue 7's throughput comparison: scenarios (a) and (c) against one Warren node directly, through
// warren-proxy and through HAProxy, in the same run. Throughput runs go flat out, one path at a time, the
// order rotating every repeat; the table shows medians, as single runs on a shared 2-core machine swing
// widely. Latency runs are paced far below what any path sustains, so p99 shows what the extra hop adds
// rather than queueing, and the paths run at the same time (own queues): the machine's hiccups, which
// dominate a p99 here, then hit direct and proxied traffic alike.
import { loadavg } from 'node:os';
import { measure } from './measure.mjs';
import { startHAProxy, startWarrenProxy } from './proxies.mjs';
import { formatProxyReport } from './proxy-table.mjs';
import { SCENARIOS } from './scenarios.mjs';

/** Per-producer msg/s of the latency runs: a few % of what each path does flat out here (a ~300k/s, c ~40k/s). */
const LATENCY_RATE = { a: 2000, c: 1000 };

const pause = () => new Promise((res) => setTimeout(res, 1000));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Returns the report (text). opts: { root, tool, warren, seconds, warmup, repeat, log, raw } */
export async function proxyBench(opts) {
  const { warren, repeat } = opts;
  const header = [`\n## proxies: scenarios a and c direct / via warren-proxy / via HAProxy, one Warren node; medians of ${repeat} repeats`,
    `load average ${load()} at start`];
  const wp = await startWarrenProxy(opts.root, warren);
  const hap = await startHAProxy(warren).catch((e) => ({ skipped: e.message }));
  header.push(`warren-proxy: ${wp.note}`, `HAProxy: ${hap.skipped ? `not measured (${hap.skipped})` : hap.note}`);
  const paths = [{ label: 'direct', broker: warren }, { label: 'warren-proxy', broker: wp }, ...(hap.skipped ? [] : [{ label: 'HAProxy', broker: hap }])];
  const runs = [];
  const record = (key, kind, rep, p, m) => {
    opts.raw.push({ scenario: `proxy-${key}-${kind}`, path: p.label, results: m.results });
    runs.push({ scenario: key, kind, path: p.label, rep, pid: p.broker.pid, value: m.rows[0].value, result: m.results[0] });
  };
  try {
    for (const s of SCENARIOS.filter((x) => x.key === 'a' || x.key === 'c')) {
      const paced = { ...s, runs: [(ctx) => [...s.runs[0](ctx), '--rate', String(LATENCY_RATE[s.key])]] };
      for (let r = 0; r < repeat; r++) {
        const order = paths.map((_, i) => paths[(i + r) % paths.length]);
        for (const p of order) {
          record(s.key, 'throughput', r, p, await measure(s, p.broker, opts.tool, opts));
          await pause();
        }
        const results = await Promise.all(order.map((p) => measure(paced, p.broker, opts.tool, opts)));
        order.forEach((p, i) => record(s.key, 'latency', r, p, results[i]));
        await pause();
      }
    }
  } finally {
    await wp.stop();
    await hap.stop?.();
  }
  header.push(`load average ${load()} at end`);
  return [...header, '', formatProxyReport(runs, paths.map((p) => p.label), LATENCY_RATE)].join('\n');
}
