import { VERSION } from '../../amqp/server-properties.js';
import { EXCHANGE_TYPES } from '../../broker/exchange-types/index.js';
import { Message } from '../../broker/message.js';
import { addCounters, CHURN_NAMES, COUNTER_NAMES, MessageCounters } from '../../broker/stats.js';
import type { Vhost } from '../../broker/vhost.js';
import { hasTag } from '../auth.js';
import { channelTotals } from '../client-totals.js';
import { listedVhosts, vhostOf, type MgmtContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { amqpListeners } from '../listeners.js';
import { totalStatsJson } from '../message-stats.js';
import { round } from '../rates.js';
import type { Router } from '../router.js';
import { DEPTH, queueDepth } from '../stats-sweep.js';
import { UserAccess } from '../user-access.js';
import { depthJson, summed } from '../vhost-stats.js';

/** The RabbitMQ release whose management API this one answers as (tools branch on `rabbitmq_version`). */
export const RABBITMQ_API_VERSION = '3.10.8';

/** RabbitMQ's snake_case name of each churn counter. */
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The vhosts' object and message totals, with the rates of their queues' depths summed. */
function totals(ctx: MgmtContext, vhosts: readonly Vhost[]) {
  const queues = vhosts.flatMap((v) => [...v.queues.values()]);
  return {
    depth: summed(ctx, queues, queueDepth, DEPTH),
    queues: queues.length,
    exchanges: vhosts.reduce((n, v) => n + v.exchanges.size, 0),
    consumers: queues.reduce((n, q) => n + q.consumerCount, 0),
  };
}

/**
 * The overview's message_stats: RabbitMQ's sums its channels' statistics, node-wide for monitoring users
 * (`vhosts` null), else over the vhosts the user sees. Counts as they are now; rates from the sweep's
 * readings of the same totals, per vhost or node-wide.
 */
function overviewMessageStats(ctx: MgmtContext, vhosts: readonly Vhost[] | null): Record<string, unknown> {
  const totals = channelTotals(ctx);
  if (vhosts === null) return totalStatsJson(totals.node, ctx.rates.rates(ctx.broker, totals.node, COUNTER_NAMES));
  const counts = new MessageCounters();
  const rates: Record<string, number> = {};
  for (const v of vhosts) {
    const c = totals.byVhost.get(v)!;
    addCounters(counts, c);
    for (const [f, r] of Object.entries(ctx.rates.rates(v, c, COUNTER_NAMES))) rates[f] = (rates[f] ?? 0) + r;
  }
  return totalStatsJson(counts, rates);
}

/** How /api/overview describes the exchange types this node has (RabbitMQ's words for the AMQP ones). */
const TYPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  direct: 'AMQP direct exchange, as per the AMQP specification',
  fanout: 'AMQP fanout exchange, as per the AMQP specification',
  headers: 'AMQP headers exchange, as per the AMQP specification',
  topic: 'AMQP topic exchange, as per the AMQP specification',
  'x-message-deduplication': 'Message Deduplication Exchange',
};

/** The node's exchange types, as /api/overview and /api/nodes list them. */
export const exchangeTypesJson = (): Record<string, unknown>[] => [...EXCHANGE_TYPES.keys()].map((name) => ({ name, description: TYPE_DESCRIPTIONS[name] ?? '', enabled: true }));

export function overviewRoutes(r: Router, ctx: MgmtContext): void {
  /**
   * As RabbitMQ's: monitoring users (and administrators) see the whole node; anyone else only the objects
   * and messages of the vhosts they have permissions in, their own connections and channels, and neither
   * the consumer count nor the node's name, listeners and contexts.
   */
  r.add('GET', '/api/overview', 'management', (req) => {
    const monitor = hasTag(req.user, 'monitoring');
    const vhosts = monitor ? [...ctx.broker.vhosts.values()] : listedVhosts(ctx, req.user);
    const t = totals(ctx, vhosts);
    const conns = [...ctx.amqp.connections].filter((c) => monitor || c.user?.name === req.user.name);
    const node = {
      node: ctx.node,
      listeners: amqpListeners(ctx).map(({ protocol, host, port }) => ({ node: ctx.node, protocol, ip_address: host, port })),
      contexts: [{ node: ctx.node, description: 'Warren Management', path: '/', port: String(ctx.mgmtPort()) }],
      churn_rates: churnRates(ctx),
    };
    return {
      management_version: VERSION,
      rates_mode: 'basic',
      disable_stats: false,
      exchange_types: exchangeTypesJson(),
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
      cluster_name: ctx.broker.globalParameters.clusterName(ctx.node),
      message_stats: overviewMessageStats(ctx, monitor ? null : vhosts),
      queue_totals: depthJson(t.depth),
      object_totals: {
        connections: conns.length,
        channels: conns.reduce((n, c) => n + c.channelCount, 0),
        exchanges: t.exchanges,
        queues: t.queues,
        ...(monitor ? { consumers: t.consumers } : {}),
      },
      ...(monitor ? node : {}),
    };
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
export function churnRates(ctx: MgmtContext): Record<string, unknown> {
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
