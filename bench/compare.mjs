// The agreement check behind `--compare-tools`: every scenario row measured by amqpload and by warren-perf on
// each broker, alternating back to back `repeat` times, medians compared. The brief's bar is within 10%.
import { measure } from './measure.mjs';

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && x >= 0).sort((a, b) => a - b);
  return v.length === 0 ? undefined : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

export async function compareTools(scenarios, brokers, opts) {
  const lines = [];
  for (const s of scenarios) {
    for (const b of brokers) {
      const al = [];
      const wp = [];
      for (let i = 0; i < opts.repeat; i++) {
        al.push(await measure(s, b, opts.amqpload, opts));
        wp.push(await measure(s, b, { kind: 'warren-perf' }, opts));
        opts.raw.push({ scenario: s.key, broker: b.name, round: i, amqpload: al[i].results, 'warren-perf': wp[i].results });
      }
      al[0].rows.forEach((row, i) => {
        const w = median(wp.map((m) => m.rows[i]?.value));
        const a = median(al.map((m) => m.rows[i]?.value));
        const diff = typeof a === 'number' && typeof w === 'number' && a > 0 ? ((w - a) / a) * 100 : null;
        lines.push([row.label, b.name, fmt(a, row.unit), fmt(w, row.unit), diff === null ? '-' : `${diff >= 0 ? '+' : ''}${diff.toFixed(1)}%`,
          diff === null ? '-' : Math.abs(diff) <= 10 ? 'yes' : 'no']);
      });
    }
  }
  const head = ['scenario', 'broker', 'amqpload', 'warren-perf', 'warren-perf vs amqpload', 'within 10%'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (c) => `| ${c.map((x, i) => (i < 2 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  return ['', row(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(row)].join('\n');
}

function fmt(v, unit) {
  if (typeof v !== 'number' || v < 0) return '-';
  if (unit === 'msg/s') return v >= 10_000 ? `${(v / 1000).toFixed(1)}k/s` : `${Math.round(v)}/s`;
  return `${v.toFixed(v < 10 ? 2 : 0)} ${unit}`;
}
