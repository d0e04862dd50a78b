import type { Channel } from '../amqp/channel.js';
import type { AmqpConnection } from '../amqp/connection.js';
import type { Queue } from '../broker/queue.js';
import { CHURN_NAMES, COUNTER_NAMES, readCounters, type ChurnCounters } from '../broker/stats.js';
import { addChannels, closedChannelTotals } from './client-totals.js';
import type { MgmtContext } from './context.js';
import { COUNTERS } from './message-stats.js';
import { NODE_GAUGES, NODE_KEY } from './node-gauges.js';
import type { Reader } from './rates.js';

/** RabbitMQ's basic rates mode samples every 5 s. */
const SAMPLE_MS = 5000;

/** A queue's depth, whose rates are its messages_ready_details and messages_unacknowledged_details. */
export const DEPTH = ['ready', 'unacked'];
export const queueDepth = (q: Queue): { ready: number; unacked: number } => ({ ready: q.messageCount, unacked: q.unacked });
/** A queue's counters and depth, read as one (its sample is kept under the queue). */
const QUEUE: Reader<Queue> = {
  fields: [...COUNTER_NAMES, ...DEPTH],
  read(q, into, at) {
    readCounters(q.stats, into, at);
    into[at + COUNTER_NAMES.length] = q.messageCount;
    into[at + COUNTER_NAMES.length + 1] = q.unacked;
  },
};

/** A connection's bytes, whose rates are its recv_oct_details and send_oct_details. */
const OCTETS: Reader<AmqpConnection> = {
  fields: ['recvOct', 'sendOct'],
  read(c, into, at) {
    into[at] = c.recvOct;
    into[at + 1] = c.sendOct;
  },
};

const CHURN: Reader<ChurnCounters> = {
  fields: CHURN_NAMES,
  read: (c, into, at) => CHURN_NAMES.forEach((name, i) => (into[at + i] = c[name])),
};

/**
 * Reads the counters of every live object every 5 s, so the API has rates on the first read after
 * traffic, not only once someone has looked twice. Walking the broker stands for registering objects: a
 * deleted queue or a closed channel is no longer met, and its sample goes with it (they are weakly
 * keyed). The overview's totals are read per vhost (keyed by the vhost) and node-wide (keyed by the broker).
 */
export class StatsSweep {
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly ctx: MgmtContext) {
    this.sweep(Date.now());
    this.timer = setInterval(() => this.sweep(Date.now()), SAMPLE_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  sweep(now: number): void {
    const { rates, broker } = this.ctx;
    rates.sweep(now, (take) => {
      // the channels' totals are summed as they are read
      const totals = closedChannelTotals(this.ctx);
      const channel = (ch: Channel): void => take(ch.stats, ch.stats, COUNTERS);
      for (const c of this.ctx.amqp.connections) {
        take(c, c, OCTETS);
        addChannels(totals, c, channel);
      }
      for (const v of broker.vhosts.values()) {
        for (const q of v.queues.values()) take(q, q, QUEUE);
        for (const x of v.exchanges.values()) take(x.stats, x.stats, COUNTERS);
        take(v, totals.byVhost.get(v)!, COUNTERS);
      }
      take(broker, totals.node, COUNTERS);
      take(broker.churn, broker.churn, CHURN);
      take(NODE_KEY, this.ctx, NODE_GAUGES);
    });
  }
}
