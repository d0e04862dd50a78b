import { COUNTER_NAMES } from '../broker/stats.js';
import type { Vhost } from '../broker/vhost.js';
import { channelTotals, type ChannelTotals } from './client-totals.js';
import type { MgmtContext } from './context.js';
import { totalStatsJson } from './message-stats.js';
import { vhostJson, withRate } from './shapes.js';
import { DEPTH, queueDepth } from './stats-sweep.js';

type Sums = Record<string, number>;

/** Counts summed over objects the statistics sweep reads, and their rates summed the same way. */
function summed<T extends object>(ctx: MgmtContext, objects: Iterable<T>, read: (o: T) => object, fields: readonly string[]): { count: Sums; rate: Sums } {
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

/**
 * A vhost as /api/vhosts shows it: its queues' messages, its connections' bytes, and its channels'
 * message_stats (closed channels' included, as RabbitMQ keeps them per vhost), rates beside each. Bytes
 * are of the live connections: what closed ones sent is kept node-wide only. `channels` is computed once
 * for a whole list.
 */
export function vhostWithStats(ctx: MgmtContext, v: Vhost, channels: ChannelTotals = channelTotals(ctx)): Record<string, unknown> {
  const depth = summed(ctx, v.queues.values(), queueDepth, DEPTH);
  const conns = [...ctx.amqp.connections].filter((c) => c.vhost === v);
  const octets = summed(ctx, conns, (c) => c, ['recvOct', 'sendOct']);
  const stats = channels.byVhost.get(v)!;
  return {
    ...vhostJson(v.name, ctx.node, ctx.broker.vhostMetadata.get(v.name)),
    ...withRate('messages', depth.count['ready']! + depth.count['unacked']!, depth.rate['ready']! + depth.rate['unacked']!),
    ...withRate('messages_ready', depth.count['ready']!, depth.rate['ready']!),
    ...withRate('messages_unacknowledged', depth.count['unacked']!, depth.rate['unacked']!),
    ...withRate('recv_oct', octets.count['recvOct']!, octets.rate['recvOct']!),
    ...withRate('send_oct', octets.count['sendOct']!, octets.rate['sendOct']!),
    // the overview's counters, per vhost: RabbitMQ sums its channels' statistics per vhost for both
    message_stats: totalStatsJson(stats, ctx.rates.rates(v, stats, COUNTER_NAMES)),
  };
}
