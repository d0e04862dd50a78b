import type { Vhost } from './vhost.js';

/**
 * Monotonic message counters kept on queues, exchanges and channels; the management API samples them
 * to compute rates. Plain integer increments on the hot path, nothing else. Each kind of object counts
 * the fields that concern it (node/mgmt/message-stats.ts lists which each shows).
 */
export class MessageCounters {
  publish = 0;
  /** Exchanges: messages published into it, and those of them routed on. */
  publishIn = 0;
  publishOut = 0;
  deliver = 0;
  deliverNoAck = 0;
  get = 0;
  getNoAck = 0;
  /** basic.get answered get-empty. */
  getEmpty = 0;
  redeliver = 0;
  ack = 0;
  /** Channels: publishes confirmed, and unroutable ones returned (mandatory) or dropped. */
  confirm = 0;
  returnUnroutable = 0;
  dropUnroutable = 0;
  /** Channels: publishes received in confirm mode, and queues they were routed to (RabbitMQ's global counters). */
  receivedConfirm = 0;
  routed = 0;
}

export type CounterName = keyof MessageCounters;

export const COUNTER_NAMES: readonly CounterName[] = Object.keys(new MessageCounters()) as CounterName[];

/**
 * Adds `c` into `into`. This and readCounters are written out field by field: the statistics sweep runs
 * them over every channel every 5 s, and named property accesses cost a tenth of a loop over COUNTER_NAMES.
 */
export function addCounters(into: MessageCounters, c: Readonly<MessageCounters>): void {
  into.publish += c.publish;
  into.publishIn += c.publishIn;
  into.publishOut += c.publishOut;
  into.deliver += c.deliver;
  into.deliverNoAck += c.deliverNoAck;
  into.get += c.get;
  into.getNoAck += c.getNoAck;
  into.getEmpty += c.getEmpty;
  into.redeliver += c.redeliver;
  into.ack += c.ack;
  into.confirm += c.confirm;
  into.returnUnroutable += c.returnUnroutable;
  into.dropUnroutable += c.dropUnroutable;
  into.receivedConfirm += c.receivedConfirm;
  into.routed += c.routed;
}

/** Writes the counters, in COUNTER_NAMES' order, into `into` from index `at`. */
export function readCounters(c: Readonly<MessageCounters>, into: Float64Array, at: number): void {
  into[at] = c.publish;
  into[at + 1] = c.publishIn;
  into[at + 2] = c.publishOut;
  into[at + 3] = c.deliver;
  into[at + 4] = c.deliverNoAck;
  into[at + 5] = c.get;
  into[at + 6] = c.getNoAck;
  into[at + 7] = c.getEmpty;
  into[at + 8] = c.redeliver;
  into[at + 9] = c.ack;
  into[at + 10] = c.confirm;
  into[at + 11] = c.returnUnroutable;
  into[at + 12] = c.dropUnroutable;
  into[at + 13] = c.receivedConfirm;
  into[at + 14] = c.routed;
}

/** A connection's byte and packet counters, as RabbitMQ names them recv_oct, send_oct, recv_cnt, send_cnt. */
export interface Traffic {
  recvOct: number;
  sendOct: number;
  recvCnt: number;
  sendCnt: number;
}

/**
 * What closed channels and connections had counted. Totals over channels and connections (the overview's
 * message_stats, the Prometheus counters) add it to the live ones', so they never go down when a client
 * leaves, as RabbitMQ's do not.
 */
export class ClosedCounters {
  readonly messages = new MessageCounters();
  /** The same per vhost, for the overview of a user who sees only some vhosts; gone with the vhost. */
  readonly byVhost = new WeakMap<Vhost, MessageCounters>();
  readonly traffic: Traffic = { recvOct: 0, sendOct: 0, recvCnt: 0, sendCnt: 0 };

  channel(vhost: Vhost, c: MessageCounters): void {
    addCounters(this.messages, c);
    let v = this.byVhost.get(vhost);
    if (!v) this.byVhost.set(vhost, (v = new MessageCounters()));
    addCounters(v, c);
  }

  connection(c: Readonly<Traffic>): void {
    addTraffic(this.traffic, c);
  }
}

export function addTraffic(into: Traffic, c: Readonly<Traffic>): void {
  into.recvOct += c.recvOct;
  into.sendOct += c.sendOct;
  into.recvCnt += c.recvCnt;
  into.sendCnt += c.sendCnt;
}

/** Node-wide counts of objects created and closed, for /api/overview's churn_rates (RabbitMQ's names). */
export class ChurnCounters {
  connectionCreated = 0;
  connectionClosed = 0;
  channelCreated = 0;
  channelClosed = 0;
  queueDeclared = 0;
  queueCreated = 0;
  queueDeleted = 0;
}

export const CHURN_NAMES: readonly (keyof ChurnCounters)[] = Object.keys(new ChurnCounters()) as (keyof ChurnCounters)[];
