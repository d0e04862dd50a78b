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

/** Live and closed channels' counters node-wide, and how many channels, consumers and publishers are live. */
export interface ChannelSums {
  readonly messages: MessageCounters;
  readonly count: number;
  readonly consumers: number;
  readonly publishers: number;
}

/**
 * The sums a Prometheus scrape reads of the node's channels and connections: each is taken once per
 * scrape, when a metric first asks for it, however many metrics read it.
 */
export class ClientTotals {
  private channelSums: ChannelSums | null = null;
  private trafficSum: Traffic | null = null;
  private pendingSum: number | null = null;

  constructor(private readonly ctx: Clients) {}

  get channels(): ChannelSums {
    return (this.channelSums ??= sumChannels(this.ctx));
  }

  get traffic(): Traffic {
    return (this.trafficSum ??= trafficTotals(this.ctx));
  }

  /** Bytes waiting to be written on the live connections' sockets. */
  get pending(): number {
    if (this.pendingSum === null) {
      this.pendingSum = 0;
      for (const c of this.ctx.amqp.connections) this.pendingSum += c.socket.writableLength;
    }
    return this.pendingSum;
  }
}

function sumChannels(ctx: Clients): ChannelSums {
  const totals = closedChannelTotals(ctx);
  let count = 0,
    consumers = 0,
    publishers = 0;
  for (const conn of ctx.amqp.connections) {
    addChannels(totals, conn, (ch) => {
      count++;
      consumers += ch.consumers.size;
      // RabbitMQ counts a channel a publisher from its first publish on
      if (ch.stats.publish > 0) publishers++;
    });
  }
  return { messages: totals.node, count, consumers, publishers };
}
