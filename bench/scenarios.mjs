// Issue 6's scenarios (a)-(h), in amqpload's flag language (warren-perf takes the same flags). Each run
// gets --seconds/--warmup/--queue/--delete-after/--monitor-pid from the runner through `ctx`; `rows` turns
// the runs' JSON results into table rows. Targets are DESIGN.md section 6's bars; null where none is set.
const k = (n) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n)}`);
const ms = (v) => (v === undefined || v < 0 ? '-' : `${v.toFixed(v < 10 ? 2 : 0)} ms`);
const lat = (r) => `p50 ${ms(r.latency_ms?.p50)} p99 ${ms(r.latency_ms?.p99)}`;

const common = (ctx, extra = []) => ['--seconds', String(ctx.seconds), '--warmup', String(ctx.warmup), '--queue', ctx.queue,
  '--delete-after', ...ctx.monitor, ...extra];

/** A scenario with one run whose throughput is `field` (higher is better). */
function throughput(key, title, flags, field, target, detail) {
  return {
    key,
    title,
    runs: [(ctx) => common(ctx, flags)],
    rows: ([r]) => [{ label: `${key}  ${title}`, value: r[field], unit: 'msg/s', better: 'higher', target, detail: detail(r) }],
  };
}

export const SCENARIOS = [
  throughput('a', '1p/1c 16 B transient autoack', ['--size', '16', '--autoack'], 'consumed_per_s', 1.5,
    (r) => `pub ${k(r.published_per_s)}/s, ${lat(r)}`),
  throughput('b', '1p/1c 1 KB transient autoack', ['--size', '1024', '--autoack'], 'consumed_per_s', 1.5,
    (r) => `pub ${k(r.published_per_s)}/s, ${lat(r)}`),
  throughput('c', '1 KB persistent, durable, confirm 1000, prefetch 1000, ack/100',
    ['--size', '1024', '--durable', '--persistent', '--confirm', '1000', '--prefetch', '1000', '--ack-every', '100'], 'confirmed_per_s', 1.5,
    (r) => `consumed ${k(r.consumed_per_s)}/s, confirm p99 ${ms(r.confirm_latency_ms?.p99)}`),
  {
    key: 'd',
    title: 'fanout to 4 queues, 4 consumers, 256 B autoack',
    runs: [(ctx) => common(ctx, ['--exchange', `${ctx.queue}-x`, '--exchange-type', 'fanout', '--queues', '4', '--consumers', '4', '--size', '256', '--autoack'])],
    rows: ([r]) => [{
      label: 'd  fanout x4, 256 B (delivered)', value: r.consumed_per_s, unit: 'msg/s', better: 'higher', target: 1.5,
      detail: `published ${k(r.published_per_s)}/s, ${lat(r)}`,
    }],
  },
  throughput('e', 'priority queue x-max-priority 10, random priorities', ['--queue-arg', 'x-max-priority=10', '--priority-random', '10', '--autoack'],
    'consumed_per_s', null, (r) => `pub ${k(r.published_per_s)}/s, ${lat(r)}`),
  {
    key: 'f',
    title: 'publish-only, then drain-only (16 B)',
    runs: [
      (ctx) => ['--seconds', String(ctx.seconds), '--warmup', '0', '--queue', ctx.queue, '--publish-only', ...ctx.monitor],
      (ctx) => ['--seconds', String(Math.max(30, ctx.seconds * 4)), '--warmup', '0', '--queue', ctx.queue, '--consume-only', '--autoack',
        '--idle-ms', '2000', '--delete-after', ...ctx.monitor],
    ],
    rows: ([pub, drain]) => [
      { label: 'f  ingress (publish-only)', value: pub.published_per_s, unit: 'msg/s', better: 'higher', target: 1.5, detail: `${k(pub.totals?.published ?? 0)} queued` },
      { label: 'f  drain (consume-only)', value: drain.drain_per_s, unit: 'msg/s', better: 'higher', target: 1.5,
        detail: `${k(drain.totals?.consumed ?? 0)} drained in ${drain.drain_s ?? '-'} s` },
    ],
  },
  {
    key: 'g',
    title: '100 connections x 100 msg/s, a consumer each',
    runs: [(ctx) => common(ctx, ['--producers', '100', '--consumers', '100', '--queues', '100', '--rate', '100'])],
    rows: ([r]) => [
      { label: 'g  100 x 100 msg/s: latency p50', value: r.latency_ms?.p50, unit: 'ms', better: 'lower', target: null,
        detail: `consumed ${k(r.consumed_per_s)}/s of ${k(r.target_per_s ?? 0)}/s scheduled` },
      { label: 'g  100 x 100 msg/s: latency p99', value: r.latency_ms?.p99, unit: 'ms', better: 'lower', target: 1, detail: `max ${ms(r.latency_ms?.max)}` },
    ],
  },
  {
    key: 'h',
    title: 'memory per idle connection (one channel each)',
    tool: 'warren-perf',
    freshWarren: true,
    runs: [(ctx) => ['--idle-connections', String(ctx.connections), '--seconds', '5', ...ctx.monitor]],
    rows: ([r], broker) => {
      const m = broker.pid ? r.rss?.[String(broker.pid)] : undefined;
      return [{
        label: `h  RSS per idle connection (${r.requested ?? '-'} asked)`, value: m?.per_connection_kb, unit: 'KB', better: 'lower', target: 1,
        detail: m ? `RSS ${m.before_mb} -> ${m.held_mb} MB, ${r.opened}/${r.requested} opened${r.failed ? `, ${r.failed} failed: ${Object.keys(r.errors ?? {})[0] ?? ''}` : ''}` : 'no broker pid',
      }];
    },
  },
];
