// The agreement check behind `--compare-tools`: every scenario row measured by amqpload and by warren-perf on
// each broker, alternating back to back `repeat` times, medians compared (the brief's bar is within 10%).
// Each round's own ratio is listed too: its spread is the noise the medians are read against.
import { measure } from './measure.mjs';
import { fmt, median, renderTable } from './table.mjs';

const HEAD = ['scenario', 'broker', 'amqpload', 'warren-perf', 'warren-perf vs amqpload', 'within 10%', 'warren-perf/amqpload per round (the spread)'];

/** Median of the measured values (a run that measured nothing reports -1). */
const medianMeasured = (xs) => median(xs.filter((x) => x >= 0));

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
        const value = (m) => m.rows[i]?.value;
        const a = medianMeasured(al.map(value));
        const w = medianMeasured(wp.map(value));
        const diff = a > 0 && w !== undefined ? ((w - a) / a) * 100 : null;
        const perRound = al.map((m, r) => (value(m) > 0 && value(wp[r]) >= 0 ? (value(wp[r]) / value(m)).toFixed(2) : '-'));
        lines.push([row.label, b.name, fmt(a, row.unit), fmt(w, row.unit), diff === null ? '-' : `${diff >= 0 ? '+' : ''}${diff.toFixed(1)}%`,
          diff === null ? '-' : Math.abs(diff) <= 10 ? 'yes' : 'no', perRound.join(' ')]);
      });
    }
  }
  return `\n${renderTable(HEAD, lines, [0, 1, 6])}`;
}
