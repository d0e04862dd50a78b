// Formats the bench table: scenario, Warren, RabbitMQ, ratio Warren/RabbitMQ, target.
export const fmt = (v, unit) => {
  if (v === undefined || v === null || Number.isNaN(v) || v < 0) return '-';
  if (unit === 'msg/s') return v >= 10_000 ? `${(v / 1000).toFixed(1)}k/s` : `${Math.round(v)}/s`;
  if (unit === 'ms') return `${v.toFixed(v < 10 ? 2 : 0)} ms`;
  return `${v.toFixed(1)} ${unit}`;
};

/** The median of the finite numbers in xs, or undefined when there are none. */
export const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/** row.target bounds Warren/RabbitMQ: at least it when higher is better, at most it when lower is. */
function verdict(row, ratio) {
  if (row.target === null) return row.better === 'lower' ? 'none set (lower is better)' : 'none set';
  const lower = row.better === 'lower';
  const bar = `${lower ? '<=' : '>='} ${row.target}x`;
  if (ratio === null) return `${bar}: not measured`;
  return `${bar}: ${(lower ? ratio <= row.target : ratio >= row.target) ? 'met' : 'MISSED'}`;
}

/** rows: [{ label, unit, better, target, warren, rabbit, warrenDetail, rabbitDetail }] */
export function formatTable(rows) {
  const lines = rows.map((r) => {
    const ok = (v) => typeof v === 'number' && v > 0;
    const ratio = ok(r.warren) && ok(r.rabbit) ? r.warren / r.rabbit : null;
    return [r.label, fmt(r.warren, r.unit), fmt(r.rabbit, r.unit), ratio === null ? '-' : `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}x`, verdict(r, ratio)];
  });
  return renderTable(['scenario', 'Warren', 'RabbitMQ', 'Warren/RabbitMQ', 'target'], lines, [0, 4]);
}

/** A markdown table of strings: the columns in `left` (text) left-aligned, the others (figures) right-aligned. */
export function renderTable(head, lines, left) {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) => `| ${cells.map((c, i) => (left.includes(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (left.includes(i) ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [row(head), rule, ...lines.map(row)].join('\n');
}

export function formatDetails(rows) {
  return rows.map((r) => `  ${r.label}\n      Warren:   ${r.warrenDetail ?? '-'}\n      RabbitMQ: ${r.rabbitDetail ?? '-'}`).join('\n');
}
