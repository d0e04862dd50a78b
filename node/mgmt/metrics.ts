import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { VERSION } from '../amqp/server-properties.js';
import { ClientTotals } from './client-totals.js';
import type { MgmtContext } from './context.js';
import { CLUSTER, RAW } from './metric-families.js';
import { family, gauge, nodeRow, untyped, type Family, type Scrape, type Series, type VhostFilter } from './metric-family.js';
import { GLOBAL } from './metric-global.js';
import { RABBITMQ_API_VERSION } from './routes/overview.js';

/** The object counts rabbitmq_prometheus adds to /metrics and /metrics/per-object. */
const TOTALS = family<Scrape>('totals', {
  rows: nodeRow,
  metrics: [
    gauge('connections', 'Connections currently open', (s) => s.amqp.connections.size),
    gauge('channels', 'Channels currently open', (s) => s.totals.channels.count),
    gauge('consumers', 'Consumers currently connected', (s) => s.totals.channels.consumers),
    gauge('queues', 'Queues available', (ctx) => [...ctx.broker.vhosts.values()].reduce((n, v) => n + v.queues.size, 0)),
  ],
});

/** The alarms Warren has (it has no file descriptor alarm). */
const ALARMS = family<MgmtContext>('alarms', {
  rows: nodeRow,
  metrics: [
    untyped('alarms_free_disk_space_watermark', 'is 1 if free disk space watermark alarm is in effect', (ctx) => (ctx.amqp.alarms.active === 'low on disk' ? 1 : 0)),
    untyped('alarms_memory_used_watermark', 'is 1 if VM memory watermark alarm is in effect', (ctx) => (ctx.amqp.alarms.active === 'low on memory' ? 1 : 0)),
  ],
});

/**
 * What dashboards join every query on. The product is Warren; rabbitmq_version is the RabbitMQ release
 * its API answers as, and erlang_version names the runtime it has instead, as /api/overview does.
 */
const INFO: readonly Family[] = [
  family<null>('build_info', {
    rows: () => [[{ product_name: 'Warren', product_version: VERSION, rabbitmq_version: RABBITMQ_API_VERSION, erlang_version: `Node.js ${process.versions.node}` }, null]],
    metrics: [untyped('build_info', 'Warren & Node.js version info, with the RabbitMQ version its API answers as', () => 1)],
  }),
  family<null>('identity_info', {
    rows: (ctx) => [[{ rabbitmq_node: ctx.node, rabbitmq_cluster: ctx.node }, null]],
    metrics: [untyped('identity_info', 'RabbitMQ node & cluster identity info', () => 1)],
  }),
];

/** Families rendered with one prefix, per object or aggregated. */
interface Section {
  readonly families: readonly Family[];
  readonly prefix: string;
  readonly perObject: boolean;
  readonly vhosts?: VhostFilter;
}

/** queue_consumer_count is the part of queue_metrics that is cheap to read: left out when both are asked for. */
const exclusive = (families: readonly Family[]): Family[] =>
  families.filter((f) => f.name !== 'queue_consumer_count' || !families.some((g) => g.name === 'queue_metrics'));

/**
 * Prometheus metrics as rabbitmq_prometheus serves them, so its dashboards and alerts work unchanged:
 * /metrics aggregated, /metrics/per-object a series per queue, channel and connection, and
 * /metrics/detailed only the groups its `family` parameters name (queues of the `vhost` ones), prefixed
 * rabbitmq_detailed_. Values are read when scraped. They are written out here rather than through
 * prom-client's metric objects, as which families, prefixes and label sets appear changes with the
 * endpoint and the request, and rabbitmq_prometheus' info metrics are untyped, which prom-client cannot
 * write. The Node.js runtime's own metrics (prom-client's, prefixed warren_) follow on the first two,
 * where RabbitMQ gives its Erlang VM's.
 */
export class Metrics {
  private readonly runtime = new Registry();

  constructor(private readonly ctx: MgmtContext) {
    collectDefaultMetrics({ register: this.runtime, prefix: 'warren_' });
  }

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const sections = this.sections(url.pathname, url.searchParams);
    if (!sections) {
      res.statusCode = 404;
      return void res.end('Unknown Registry');
    }
    let text = render(this.ctx, sections);
    if (url.pathname !== '/metrics/detailed') text += await this.runtime.metrics();
    res.setHeader('Content-Type', this.runtime.contentType);
    res.end(text);
  }

  private sections(path: string, query: URLSearchParams): Section[] | null {
    const rabbitmq = (families: readonly Family[], perObject: boolean): Section => ({ families, prefix: 'rabbitmq_', perObject });
    if (path === '/metrics' || path === '/metrics/per-object') {
      const perObject = path === '/metrics/per-object';
      return [rabbitmq(exclusive(RAW), perObject), rabbitmq(perObject ? [TOTALS] : [TOTALS, ALARMS], false), rabbitmq(GLOBAL, true), rabbitmq(INFO, true)];
    }
    if (path !== '/metrics/detailed') return null;
    const asked = new Set(query.getAll('family'));
    const vhosts = query.has('vhost') ? new Set(query.getAll('vhost')) : null;
    return [
      { families: exclusive(RAW.filter((f) => asked.has(f.name))), prefix: 'rabbitmq_detailed_', perObject: true, vhosts },
      { families: CLUSTER.filter((f) => asked.has(f.name)), prefix: 'rabbitmq_cluster_', perObject: true, vhosts },
      rabbitmq(INFO, true),
    ];
  }
}

function render(ctx: MgmtContext, sections: readonly Section[]): string {
  const scrape: Scrape = { ...ctx, totals: new ClientTotals(ctx) };
  const lines: string[] = [];
  for (const { families, prefix, perObject, vhosts = null } of sections) {
    for (const f of families) for (const s of f.series(scrape, perObject, vhosts)) write(lines, prefix, s);
  }
  return lines.join('\n') + '\n';
}

function write(lines: string[], prefix: string, s: Series): void {
  const name = prefix + s.name;
  lines.push(`# HELP ${name} ${s.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${s.type}`);
  for (const [labels, value] of s.samples) lines.push(`${name}${labels} ${value}`);
}
