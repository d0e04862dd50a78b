// Formats the proxy bench: per scenario a throughput row (medians over repeats; the warren-proxy/HAProxy
// ratio against issue 7's >= 0.90 bar) and latency p50/p99 rows (medians, with what each proxy adds over
// direct; the bar: warren-proxy adds under 0.5 ms at p99), then every run's figures so the spread shows.
// Ratios and added latencies are medians of per-repeat comparisons: within a repeat the runs are adjacent
// in time (throughput) or simultaneous (latency), so the load other work puts on the machine mostly cancels.
import { fmt, renderTable } from './table.mjs';

const MIN_RATIO = 0.9;
const MAX_ADDED_P99_MS = 0.5;

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const signed = (d) => (d === undefined ? '' : ` (${d >= 0 ? '+' : ''}${d.toFixed(2)})`);
const p = (q) => (r) => r.result?.latency_ms?.[q];
const throughput = (r) => (r.value > 0 ? r.value : undefined);

/** runs: [{ scenario, kind, path, rep, pid, value, result }]; labels: the paths measured; rates: msg/s of the latency runs */
export function formatProxyReport(runs, labels, rates) {
  const lines = [];
  const details = [];
  for (const key of [...new Set(runs.map((r) => r.scenario))]) {
    const of = (kind, label) => runs.filter((r) => r.scenario === key && r.kind === kind && r.path === label);
    const med = (kind, label, f) => median(of(kind, label).map(f));
    /** median over repeats of op(value via a, value via b) */
    const paired = (kind, a, b, f, op) => median(of(kind, a).map((ra) => {
      const rb = of(kind, b).find((x) => x.rep === ra.rep);
      const [va, vb] = [f(ra), rb && f(rb)];
      return va === undefined || vb === undefined ? undefined : op(va, vb);
    }));
    const ratio = paired('throughput', 'warren-proxy', 'HAProxy', throughput, (a, b) => a / b);
    const verdict = ratio === undefined ? 'not measured' : ratio >= MIN_RATIO ? 'met' : 'MISSED';
    lines.push([`${key}  throughput`, ...['direct', 'warren-proxy', 'HAProxy'].map((l) => fmt(med('throughput', l, throughput), 'msg/s')),
      ratio === undefined ? '-' : `${ratio.toFixed(2)}x`, `>= ${MIN_RATIO.toFixed(2)}x: ${verdict}`]);
    for (const q of ['p50', 'p99']) {
      const added = (l) => paired('latency', l, 'direct', p(q), (a, b) => a - b);
      const cell = (l) => `${fmt(med('latency', l, p(q)), 'ms')}${signed(added(l))}`;
      const wp = added('warren-proxy');
      const bar = q === 'p99' ? `added < ${MAX_ADDED_P99_MS} ms: ${wp === undefined ? 'not measured' : wp < MAX_ADDED_P99_MS ? 'met' : 'MISSED'}` : '';
      lines.push([`${key}  latency ${q} at ${rates[key]} msg/s`, fmt(med('latency', 'direct', p(q)), 'ms'), cell('warren-proxy'), cell('HAProxy'), '-', bar]);
    }
    for (const l of labels) details.push(`  ${key}  ${l}: ${detail(of('throughput', l), of('latency', l), l !== 'direct')}`);
  }
  const table = renderTable(['scenario', 'direct', 'via warren-proxy', 'via HAProxy', 'warren-proxy/HAProxy', 'target (issue 7)'], lines, [0, 5]);
  return `${table}\n\nper repeat (throughput runs one path at a time, latency runs the paths at once; cpu: the proxy's, or Warren's for direct):\n${details.join('\n')}`;
}

function detail(tput, paced, proxied) {
  const cpu = (r) => r.result?.cpu?.[`pid${r.pid}_pct`];
  const list = (rs, f) => rs.map((r) => f(r) ?? '-').join(' ');
  const ms = (v) => (v === undefined ? undefined : v.toFixed(2));
  return [
    `msg/s ${list(tput, (r) => fmt(r.value, 'msg/s'))}`,
    `${proxied ? 'proxy' : 'Warren'} cpu ${list(tput, (r) => (cpu(r) === undefined ? undefined : `${cpu(r)}%`))}`,
    `paced p50 ${list(paced, (r) => ms(p('p50')(r)))} ms, p99 ${list(paced, (r) => ms(p('p99')(r)))} ms`,
    `paced consumed ${list(paced, (r) => fmt(r.result?.consumed_per_s, 'msg/s'))} of ${fmt(paced[0]?.result?.target_per_s, 'msg/s')}`,
  ].join('; ');
}
