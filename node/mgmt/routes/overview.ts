import { statfsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { VERSION } from '../../amqp/server-properties.js';
import { EXCHANGE_TYPES } from '../../broker/exchange-types/index.js';
import { Message } from '../../broker/message.js';
import { CHURN_NAMES, MessageCounters } from '../../broker/stats.js';
import type { Vhost } from '../../broker/vhost.js';
import { hasTag } from '../auth.js';
import { listedVhosts, vhostOf, type MgmtContext } from '../context.js';
import { HttpError } from '../http-error.js';
import type { Router } from '../router.js';
import { UserAccess } from '../user-access.js';
import { round } from '../rates.js';

/** The RabbitMQ release whose management API this one answers as (tools branch on `rabbitmq_version`). */
export const RABBITMQ_API_VERSION = '3.10.8';

/** RabbitMQ's snake_case name of each churn counter. */
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The vhosts' counters, summed into `counters` (refilled on every read, so its rates can be sampled), and their totals. */
function totals(vhosts: readonly Vhost[], counters: MessageCounters): { ready: number; unacked: number; queues: number; exchanges: number; consumers: number } {
  Object.assign(counters, new MessageCounters());
  let ready = 0,
    unacked = 0,
    queues = 0,
    exchanges = 0,
    consumers = 0;
  for (const v of vhosts) {
    for (const q of v.queues.values()) {
      queues++;
      ready += q.messageCount;
      unacked += q.unacked;
      consumers += q.consumerCount;
      counters.deliver += q.stats.deliver;
      counters.deliverNoAck += q.stats.deliverNoAck;
      counters.get += q.stats.get;
      counters.getNoAck += q.stats.getNoAck;
      counters.ack += q.stats.ack;
      counters.redeliver += q.stats.redeliver;
    }
    for (const x of v.exchanges.values()) {
      exchanges++;
      counters.publish += x.stats.publishIn;
    }
  }
  return { ready, unacked, queues, exchanges, consumers };
}

/** What one viewer's overviews are sampled in: every monitoring user shares the node-wide one, others have their own. */
interface Sampled {
  readonly counters: MessageCounters;
  readonly depth: object;
}
const NODE_WIDE = {};
const sampled = new WeakMap<object, Sampled>();
function sampledFor(key: object): Sampled {
  let s = sampled.get(key);
  if (!s) sampled.set(key, (s = { counters: new MessageCounters(), depth: {} }));
  return s;
}

/** How /api/overview describes the exchange types this node has (RabbitMQ's words for the AMQP ones). */
const TYPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  direct: 'AMQP direct exchange, as per the AMQP specification',
  fanout: 'AMQP fanout exchange, as per the AMQP specification',
  headers: 'AMQP headers exchange, as per the AMQP specification',
  topic: 'AMQP topic exchange, as per the AMQP specification',
  'x-message-deduplication': 'Message Deduplication Exchange',
};

export function overviewRoutes(r: Router, ctx: MgmtContext): void {
  /**
   * As RabbitMQ's: monitoring users (and administrators) see the whole node; anyone else only the objects
   * and messages of the vhosts they have permissions in, their own connections and channels, and neither
   * the consumer count nor the node's name, listeners and contexts.
   */
  r.add('GET', '/api/overview', 'management', (req) => {
    const monitor = hasTag(req.user, 'monitoring');
    const { counters, depth } = sampledFor(monitor ? NODE_WIDE : req.user);
    const t = totals(monitor ? [...ctx.broker.vhosts.values()] : listedVhosts(ctx, req.user), counters);
    const conns = [...ctx.amqp.connections].filter((c) => monitor || c.user?.name === req.user.name);
    const queueDepth = ctx.rates.rates(depth, { ready: t.ready, unacked: t.unacked }, ['ready', 'unacked']);
    const node = {
      node: ctx.node,
      listeners: [
        { node: ctx.node, protocol: 'amqp', ip_address: ctx.config.amqpHost, port: ctx.amqp.port },
        ...(ctx.amqp.tlsPort === null ? [] : [{ node: ctx.node, protocol: 'amqp/ssl', ip_address: ctx.config.amqpHost, port: ctx.amqp.tlsPort }]),
      ],
      contexts: [{ node: ctx.node, description: 'Warren Management', path: '/', port: String(ctx.mgmtPort()) }],
      churn_rates: churnRates(ctx),
    };
    return {
      management_version: VERSION,
      rates_mode: 'basic',
      disable_stats: false,
      exchange_types: [...EXCHANGE_TYPES.keys()].map((name) => ({ name, description: TYPE_DESCRIPTIONS[name] ?? '', enabled: true })),
      product_name: 'Warren',
      product_version: VERSION,
      rabbitmq_version: RABBITMQ_API_VERSION,
      release_series_support_status: 'supported',
      // the runtime in the keys RabbitMQ gives its Erlang's, so tools that show them show what runs
      erlang_version: `Node.js ${process.versions.node}`,
      erlang_full_version: `Node.js ${process.version} (V8 ${process.versions.v8}, ${process.platform}-${process.arch}); Warren has no Erlang VM`,
      // RabbitMQ's sample ages in seconds: Warren keeps one sample per object, rates over the last 5 s window
      sample_retention_policies: { global: [5], basic: [5], detailed: [] },
      // statistics are read from the live objects on each request, so no events ever wait
      statistics_db_event_queue: 0,
      // only matters with disable_stats, which Warren does not have
      enable_queue_totals: false,
      cluster_name: ctx.node,
      message_stats: ctx.rates.messageStats(counters),
      queue_totals: {
        messages: t.ready + t.unacked,
        messages_ready: t.ready,
        messages_unacknowledged: t.unacked,
        messages_details: { rate: (queueDepth['ready'] ?? 0) + (queueDepth['unacked'] ?? 0) },
      },
      object_totals: {
        connections: conns.length,
        channels: conns.reduce((n, c) => n + [...c.channelList].length, 0),
        exchanges: t.exchanges,
        queues: t.queues,
        ...(monitor ? { consumers: t.consumers } : {}),
      },
      ...(monitor ? node : {}),
    };
  });

  r.add('GET', '/api/nodes', 'monitoring', () => [nodeJson(ctx)]);
  r.add('GET', '/api/nodes/{name}', 'monitoring', (req) => {
    if (req.params['name'] !== ctx.node) throw new HttpError(404, 'Object Not Found', 'no such node');
    return nodeJson(ctx);
  });
  r.add('GET', '/api/whoami', 'management', (req) => ({ name: req.user.name, tags: req.user.tags }));
  r.add('GET', '/api/extensions', 'management', () => []);

  r.add('GET', '/api/health/checks/alarms', 'management', () => alarmCheck(ctx));
  r.add('GET', '/api/health/checks/local-alarms', 'management', () => alarmCheck(ctx));
  r.add('GET', '/api/health/checks/virtual-hosts', 'management', () => ({ status: 'ok' }));

  // run as the user, as RabbitMQ's is: an administrator without permissions in the vhost is refused
  r.add('GET', '/api/aliveness-test/{vhost}', 'vhost', (req) => {
    const v = UserAccess.of(ctx, req.user, vhostOf(ctx, req.params['vhost']!)).vhost;
    const q = v.declareQueue({ name: 'aliveness-test', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, null);
    v.enqueue([q], Message.fromProperties('', 'aliveness-test', {}, Buffer.from('test_message')));
    const got = q.get(true);
    if (got?.msg.body.toString() !== 'test_message') throw new HttpError(503, 'failed', 'aliveness test message did not come back');
    return { status: 'ok' };
  });
}

/** Objects created and closed since the node started, with rates, as RabbitMQ's overview shows them. */
function churnRates(ctx: MgmtContext): Record<string, unknown> {
  const churn = ctx.broker.churn;
  const r = ctx.rates.rates(churn, churn, CHURN_NAMES);
  const out: Record<string, unknown> = {};
  for (const name of CHURN_NAMES) {
    out[snake(name)] = churn[name];
    out[`${snake(name)}_details`] = { rate: round(r[name] ?? 0) };
  }
  return out;
}

function alarmCheck(ctx: MgmtContext): unknown {
  const reason = ctx.amqp.alarms.active;
  if (reason !== null) throw new HttpError(503, 'failed', `resource alarm in effect: ${reason}`);
  return { status: 'ok' };
}

function nodeJson(ctx: MgmtContext): Record<string, unknown> {
  let diskFree = 0;
  try {
    const s = statfsSync(ctx.config.dataDir);
    diskFree = s.bavail * s.bsize;
  } catch {
    // reported as 0 below; the alarm check logs the failure
  }
  const memLimit = Math.floor(totalmem() * ctx.config.memoryHighWatermark);
  const memUsed = process.memoryUsage.rss();
  return {
    name: ctx.node,
    type: 'disc',
    running: true,
    mem_used: memUsed,
    mem_limit: memLimit,
    mem_alarm: memUsed > memLimit,
    disk_free: diskFree,
    disk_free_limit: ctx.config.diskFreeLimit,
    disk_free_alarm: diskFree < ctx.config.diskFreeLimit,
    sockets_used: ctx.amqp.connections.size,
    uptime: Date.now() - ctx.startedAt,
    processors: cpus().length,
    os_pid: String(process.pid),
  };
}
