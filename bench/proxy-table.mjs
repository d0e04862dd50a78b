// Formats the proxy bench. Per scenario: throughput flat out (medians over repeats; warren-proxy/HAProxy
// against issue 7's >= 0.90 bar), latency p50/p99 in those saturated runs (queueing, shown for the record),
// and latency p50/p99 of the paced runs with what each path adds over direct (the bar: warren-proxy adds
// under 0.5 ms at p99). Ratios and added latencies are medians of per-repeat comparisons: flat-out runs
// of one repeat are close in time, and a paced path ran beside its own direct run. Then every run's
// figures, so the spread shows.
import { fmt, median, renderTable } from './table.mjs';

const MIN_RATIO = 0.9;
const MAX_ADDED_P99_MS = 0.5;

const signed = (d) => (d === undefined ? '' : `${d >= 0 ? '+' : ''}${d.toFixed(2)}`);
const latency = (q) => (r) => r.result?.latency_ms?.[q];
const throughput = (r) => (r.value > 0 ? r.value : undefined);
const ratioCell = (x) => (x === undefined ? '-' : `${x.toFixed(2)}x`);

/**
 * runs: [{ scenario, kind: 'saturation' | 'paced', path, rep, pair, pid, value, result }], pair: the path a
 * paced direct run ran beside (and that path's own label); labels: the paths, 'direct' first; rates:
 * msg/s of the paced runs per scenario.
 */
export function formatProxyReport(runs, labels, rates) {
  const ratios = ['HAProxy', 'baseline'].filter((l) => labels.includes(l));
  const lines = [];
  const details = [];
  for (const key of [...new Set(runs.map((r) => r.scenario))]) {
    const of = (kind, label) => runs.filter((r) => r.scenario === key && r.kind === kind && r.path === label);
    /** per repeat (and paced pair), op(value via a, value via b) */
    const paired = (kind, a, b, f, op) => of(kind, a).map((ra) => {
      const rb = of(kind, b).find((x) => x.rep === ra.rep && x.pair === ra.pair);
      const [va, vb] = [f(ra), rb && f(rb)];
      return va === undefined || vb === undefined ? undefined : op(va, vb);
    });
    const ratio = (l) => median(paired('saturation', 'warren-proxy', l, throughput, (a, b) => a / b));
    const added = (kind, l, q) => paired(kind, l, 'direct', latency(q), (a, b) => a - b);
    const cell = (kind, l, f, unit) => fmt(median(of(kind, l).map(f)), unit);
    const wpVsHap = ratio('HAProxy');
    const verdict = wpVsHap === undefined ? 'not measured' : wpVsHap >= MIN_RATIO ? 'met' : 'MISSED';
    lines.push([`${key}  throughput, flat out`, ...labels.map((l) => (l === 'direct again' ? '-' : cell('saturation', l, throughput, 'msg/s'))),
      ...ratios.map((l) => ratioCell(ratio(l))), `>= ${MIN_RATIO.toFixed(2)}x HAProxy: ${verdict}`]);
    const latencyRow = (kind, title, q, target) => {
      const withAdded = (l) => {
        const v = cell(kind, l, latency(q), 'ms');
        return l === 'direct' || !of(kind, l).length ? v : `${v} (${signed(median(added(kind, l, q)))})`;
      };
      lines.push([`${key}  ${title} ${q}`, ...labels.map(withAdded), ...ratios.map(() => '-'), target]);
    };
    for (const q of ['p50', 'p99']) latencyRow('saturation', 'latency flat out (queueing)', q, '');
    for (const q of ['p50', 'p99']) {
      const wp = median(added('paced', 'warren-proxy', q));
      const noise = median(added('paced', 'direct again', q).map((d) => d !== undefined && Math.abs(d)));
      const floor = noise === undefined ? '' : ` (noise ±${noise.toFixed(2)})`;
      const bar = q === 'p99' ? `added < ${MAX_ADDED_P99_MS} ms: ${wp === undefined ? 'not measured' : wp < MAX_ADDED_P99_MS ? 'met' : 'MISSED'}${floor}` : '';
      latencyRow('paced', `latency at ${rates[key]} msg/s`, q, bar);
    }
    for (const l of labels) details.push(`  ${key}  ${l}: ${detail(l, of('saturation', l), of('paced', l), l === 'direct' ? null : (q) => added('paced', l, q))}`);
  }
  const head = ['scenario', ...labels.map((l) => (l.startsWith('direct') ? l : `via ${l}`)), ...ratios.map((l) => `warren-proxy/${l}`), 'target (issue 7)'];
  const table = renderTable(head, lines, [0, head.length - 1]);
  return `${table}\n\n(+x): median over repeats of the difference from direct: the direct run of the same repeat (flat out), the direct
run at the same time (paced). "direct again" is paced beside direct too: its (+x) is what an added latency looks
like when nothing is added, the noise floor.
per repeat (cpu: the proxy's in the flat-out run, Warren's for direct; added: paced, against direct):\n${details.join('\n')}`;
}

function detail(label, flat, paced, added) {
  const cpu = (r) => r.result?.cpu?.[`pid${r.pid}_pct`];
  const list = (rs, f) => rs.map((r) => f(r) ?? '-').join(' ');
  const ms = (v) => (v === undefined ? undefined : v.toFixed(2));
  const addedList = (q) => added(q).map((d) => signed(d) || '-').join(' ');
  return [
    ...(flat.length ? [`flat out ${list(flat, (r) => fmt(r.value, 'msg/s'))}`,
      `${label === 'direct' ? 'Warren' : 'proxy'} cpu ${list(flat, (r) => (cpu(r) === undefined ? undefined : `${cpu(r)}%`))}`] : []),
    `paced p50 ${list(paced, (r) => ms(latency('p50')(r)))} ms, p99 ${list(paced, (r) => ms(latency('p99')(r)))} ms`,
    ...(added ? [`added p50 ${addedList('p50')}, p99 ${addedList('p99')}`] : []),
    `paced consumed ${list(paced, (r) => fmt(r.result?.consumed_per_s, 'msg/s'))} of ${fmt(paced[0]?.result?.target_per_s, 'msg/s')}`,
  ].join('; ');
}
