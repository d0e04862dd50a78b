import type { AmqpConnection } from '../amqp/connection.js';
import { COUNTER_NAMES } from '../broker/stats.js';
import type { Vhost } from '../broker/vhost.js';
import { channelTotals, type ChannelTotals } from './client-totals.js';
import type { MgmtContext } from './context.js';
import { totalStatsJson } from './message-stats.js';
import { vhostJson, withRate } from './shapes.js';
import { DEPTH, queueDepth } from './stats-sweep.js';

type Sums = Record<string, number>;
interface Summed {
  readonly count: Sums;
  readonly rate: Sums;
}

/** Counts summed over objects the statistics sweep reads, and their rates summed the same way. */
export function summed<T extends object>(ctx: MgmtContext, objects: Iterable<T>, read: (o: T) => object, fields: readonly string[]): Summed {
  const count: Sums = {};
  const rate: Sums = {};
  for (const f of fields) count[f] = rate[f] = 0;
  for (const o of objects) {
    const values = read(o) as Readonly<Sums>;
    const r = ctx.rates.rates(o, values, fields);
    for (const f of fields) {
      count[f]! += values[f]!;
      rate[f]! += r[f]!;
    }
  }
  return { count, rate };
}

/** Queues' depths summed (over DEPTH), as /api/vhosts and the overview's queue_totals show them: messages, ready and unacknowledged, rates beside each. */
export function depthJson(depth: Summed): Record<string, unknown> {
  return {
    ...withRate('messages', depth.count['ready']! + depth.count['unacked']!, depth.rate['ready']! + depth.rate['unacked']!),
    ...withRate('messages_ready', depth.count['ready']!, depth.rate['ready']!),
    ...withRate('messages_unacknowledged', depth.count['unacked']!, depth.rate['unacked']!),
  };
}

/** What /api/vhosts reads of the node's clients, computed once for a whole list. */
export interface VhostClients {
  /** The channels' message counters, per vhost. */
  readonly channels: ChannelTotals;
  /** The live connections, by vhost (in the server's order). */
  readonly connections: ReadonlyMap<Vhost, readonly AmqpConnection[]>;
}

export function vhostClients(ctx: MgmtContext): VhostClients {
  const connections = new Map<Vhost, AmqpConnection[]>();
  for (const c of ctx.amqp.connections) {
    if (c.vhost === null) continue;
    let list = connections.get(c.vhost);
    if (!list) connections.set(c.vhost, (list = []));
    list.push(c);
  }
  return { channels: channelTotals(ctx), connections };
}

/**
 * A vhost as /api/vhosts shows it: its queues' messages, its connections' bytes, and its channels'
 * message_stats (closed channels' included, as RabbitMQ keeps them per vhost), rates beside each. Bytes
 * are of the live connections: what closed ones sent is kept node-wide only. `clients` is computed once
 * for a whole list.
 */
export function vhostWithStats(ctx: MgmtContext, v: Vhost, clients: VhostClients = vhostClients(ctx)): Record<string, unknown> {
  const depth = summed(ctx, v.queues.values(), queueDepth, DEPTH);
  const octets = summed(ctx, clients.connections.get(v) ?? [], (c) => c, ['recvOct', 'sendOct']);
  const stats = clients.channels.byVhost.get(v)!;
  return {
    ...vhostJson(v.name, ctx.node, ctx.broker.vhostMetadata.get(v.name)),
    ...depthJson(depth),
    ...withRate('recv_oct', octets.count['recvOct']!, octets.rate['recvOct']!),
    ...withRate('send_oct', octets.count['sendOct']!, octets.rate['sendOct']!),
    // the overview's counters, per vhost: RabbitMQ sums its channels' statistics per vhost for both
    message_stats: totalStatsJson(stats, ctx.rates.rates(v, stats, COUNTER_NAMES)),
  };
}
