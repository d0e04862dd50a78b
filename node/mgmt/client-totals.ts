import type { Channel } from '../amqp/channel.js';
import type { AmqpConnection } from '../amqp/connection.js';
import { addCounters, addTraffic, MessageCounters, type Traffic } from '../broker/stats.js';
import type { Vhost } from '../broker/vhost.js';
import type { MgmtContext } from './context.js';

type Clients = Pick<MgmtContext, 'broker' | 'amqp'>;

/** Message counters summed over channels, node-wide and per vhost. */
export interface ChannelTotals {
  readonly node: MessageCounters;
  readonly byVhost: ReadonlyMap<Vhost, MessageCounters>;
}

/**
 * The live channels' counters plus what closed ones had counted, so the sums never go down when a client
 * leaves. A channel of a vhost deleted under it counts node-wide only.
 */
export function channelTotals(ctx: Clients): ChannelTotals {
  const totals = closedChannelTotals(ctx);
  for (const conn of ctx.amqp.connections) addChannels(totals, conn);
  return totals;
}

/** What closed channels had counted, node-wide and per vhost: where channelTotals starts from. */
export function closedChannelTotals(ctx: Clients): ChannelTotals {
  const closed = ctx.broker.closed;
  const node = new MessageCounters();
  addCounters(node, closed.messages);
  const byVhost = new Map<Vhost, MessageCounters>();
  for (const v of ctx.broker.vhosts.values()) {
    const t = new MessageCounters();
    const before = closed.byVhost.get(v);
    if (before) addCounters(t, before);
    byVhost.set(v, t);
  }
  return { node, byVhost };
}

/** Adds a live connection's channels into the totals, handing each to `each` too. */
export function addChannels(totals: ChannelTotals, conn: AmqpConnection, each?: (ch: Channel) => void): void {
  const t = conn.vhost === null ? undefined : totals.byVhost.get(conn.vhost);
  for (const ch of conn.channelList) {
    addCounters(totals.node, ch.stats);
    if (t) addCounters(t, ch.stats);
    each?.(ch);
  }
}

/** Bytes and packets over the live connections and those closed before. */
export function trafficTotals(ctx: Clients): Traffic {
  const t = { ...ctx.broker.closed.traffic };
  for (const c of ctx.amqp.connections) addTraffic(t, c);
  return t;
}
