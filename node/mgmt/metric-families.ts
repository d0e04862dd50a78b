import type { AmqpConnection } from '../amqp/connection.js';
import type { Channel } from '../amqp/channel.js';
import type { Queue } from '../broker/queue.js';
import type { ChurnCounters, MessageCounters, Traffic } from '../broker/stats.js';
import type { MgmtContext } from './context.js';
import { counter, family, gauge, nodeRow, type Family, type Scrape, type VhostFilter } from './metric-family.js';
import { diskFree, maxFds, memoryLimit, openFds } from './node-resources.js';
import { channelName, headTimestamp } from './shapes.js';

/**
 * rabbitmq_prometheus' metric groups (its METRICS_RAW, RabbitMQ 3.10), with what Warren can really report
 * of each; what it cannot (Erlang VM figures, I/O and Raft statistics, reductions, persistent message
 * counts, disk reads and writes, auth attempts) is left out. /metrics aggregates them, /metrics/per-object
 * and /metrics/detailed give a series per object.
 */

function* queues(ctx: MgmtContext, only: VhostFilter): Iterable<Queue> {
  for (const v of ctx.broker.vhosts.values()) if (only === null || only.has(v.name)) yield* v.queues.values();
}
function* queueRows(ctx: MgmtContext, only: VhostFilter): Iterable<readonly [Record<string, string>, Queue]> {
  for (const q of queues(ctx, only)) yield [{ vhost: q.vhost, queue: q.name }, q];
}
function* channels(ctx: MgmtContext): Iterable<Channel> {
  for (const c of ctx.amqp.connections) yield* c.channelList;
}
/** rabbitmq_prometheus labels rows by the Erlang process they come from, `channel`; Warren by the channel's name. */
function* channelRows(ctx: MgmtContext): Iterable<readonly [Record<string, string>, Channel]> {
  for (const ch of channels(ctx)) yield [{ channel: channelName(ch) }, ch];
}
function* channelCounterRows(ctx: MgmtContext): Iterable<readonly [Record<string, string>, MessageCounters]> {
  for (const [labels, ch] of channelRows(ctx)) yield [labels, ch.stats];
}

/** What rabbitmq_prometheus reads of a connection. */
interface ConnectionFigures extends Traffic {
  pending: number;
  channels: number;
}
const figures = (c: AmqpConnection): ConnectionFigures => ({
  recvOct: c.recvOct,
  sendOct: c.sendOct,
  recvCnt: c.recvCnt,
  sendCnt: c.sendCnt,
  pending: c.socket.writableLength,
  channels: c.channelCount,
});
/** Connections too are labelled `channel` by rabbitmq_prometheus (the label of any process's row); with the connection's name here. */
function* connectionRows(ctx: MgmtContext): Iterable<readonly [Record<string, string>, ConnectionFigures]> {
  for (const c of ctx.amqp.connections) yield [{ channel: c.name }, figures(c)];
}
const connectionTotal = ({ totals }: Scrape): ConnectionFigures => ({ ...totals.traffic, pending: totals.pending, channels: totals.channels.count });

/** A queue's ready and unacknowledged messages: counts and bytes, in memory or paged out. */
const ready = (q: Queue) => q.messages.tally;
const unacked = (q: Queue) => q.unackedTally;

/** In two groups, as in rabbitmq_prometheus: alone, the cheap part of queue_metrics. */
const QUEUE_CONSUMERS = gauge<Queue>('queue_consumers', 'Consumers on a queue', (q) => q.consumerCount);

export const RAW: readonly Family[] = [
  family<ChurnCounters>('connection_churn_metrics', {
    rows: (ctx) => [[{}, ctx.broker.churn]],
    metrics: [
      counter('connections_opened_total', 'Total number of connections opened', (c) => c.connectionCreated),
      counter('connections_closed_total', 'Total number of connections closed or terminated', (c) => c.connectionClosed),
      counter('channels_opened_total', 'Total number of channels opened', (c) => c.channelCreated),
      counter('channels_closed_total', 'Total number of channels closed', (c) => c.channelClosed),
      counter('queues_declared_total', 'Total number of queues declared', (c) => c.queueDeclared),
      counter('queues_created_total', 'Total number of queues created', (c) => c.queueCreated),
      counter('queues_deleted_total', 'Total number of queues deleted', (c) => c.queueDeleted),
    ],
  }),
  family<MgmtContext>('node_coarse_metrics', {
    rows: nodeRow,
    metrics: [
      gauge('process_open_fds', 'Open file descriptors', () => openFds()),
      gauge('process_open_tcp_sockets', 'Open TCP sockets', (ctx) => ctx.amqp.connections.size),
      gauge('process_resident_memory_bytes', 'Memory used in bytes', () => process.memoryUsage.rss()),
      gauge('disk_space_available_bytes', 'Disk space available in bytes', (ctx) => diskFree(ctx.config)),
    ],
  }),
  family<MgmtContext>('node_metrics', {
    rows: nodeRow,
    metrics: [
      gauge('process_max_fds', 'Open file descriptors limit', () => maxFds()),
      gauge('resident_memory_limit_bytes', 'Memory high watermark in bytes', (ctx) => memoryLimit(ctx.config)),
      gauge('disk_space_available_limit_bytes', 'Free disk space low watermark in bytes', (ctx) => ctx.config.diskFreeLimit),
      // the node's runtime is Node.js, not an Erlang VM: its uptime, under the name dashboards read
      gauge('erlang_uptime_seconds', 'Node uptime', (ctx) => (Date.now() - ctx.startedAt) / 1000),
    ],
  }),
  family<Queue>('queue_coarse_metrics', {
    rows: queueRows,
    metrics: [
      gauge('queue_messages_ready', 'Messages ready to be delivered to consumers', (q) => q.messageCount),
      gauge('queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', (q) => q.unacked),
      gauge('queue_messages', 'Sum of ready and unacknowledged messages - total queue depth', (q) => q.messageCount + q.unacked),
    ],
  }),
  family<Queue>('queue_consumer_count', {
    rows: queueRows,
    metrics: [QUEUE_CONSUMERS],
  }),
  family<Queue>('queue_metrics', {
    rows: queueRows,
    metrics: [
      QUEUE_CONSUMERS,
      gauge('queue_messages_ram', 'Ready and unacknowledged messages stored in memory', (q) => ready(q).inMemory + unacked(q).inMemory),
      gauge('queue_messages_ram_bytes', 'Size of ready and unacknowledged messages stored in memory', (q) => ready(q).inMemoryBytes + unacked(q).inMemoryBytes),
      gauge('queue_messages_ready_ram', 'Ready messages stored in memory', (q) => ready(q).inMemory),
      gauge('queue_messages_unacked_ram', 'Unacknowledged messages stored in memory', (q) => unacked(q).inMemory),
      gauge('queue_messages_bytes', 'Size in bytes of ready and unacknowledged messages', (q) => ready(q).bytes + unacked(q).bytes),
      gauge('queue_messages_ready_bytes', 'Size in bytes of ready messages', (q) => ready(q).bytes),
      gauge('queue_messages_unacked_bytes', 'Size in bytes of all unacknowledged messages', (q) => unacked(q).bytes),
      gauge('queue_messages_paged_out', 'Messages paged out to disk', (q) => ready(q).onDisk),
      gauge('queue_messages_paged_out_bytes', 'Size in bytes of messages paged out to disk', (q) => ready(q).onDiskBytes),
      {
        ...gauge<Queue>('queue_head_message_timestamp', 'Timestamp of the first message in the queue, if any', headTimestamp),
        perObjectOnly: true,
      },
    ],
  }),
  family<Channel>('channel_metrics', {
    rows: channelRows,
    metrics: [
      gauge('channel_consumers', 'Consumers on a channel', (ch) => ch.consumers.size),
      gauge('channel_messages_unacked', 'Delivered but not yet acknowledged messages', (ch) => ch.unacked.size),
      gauge('channel_messages_unconfirmed', 'Published but not yet confirmed messages', (ch) => ch.confirms?.unconfirmed ?? 0),
      gauge('consumer_prefetch', 'Limit of unacknowledged messages for each consumer', (ch) => ch.consumerPrefetch),
      gauge('channel_prefetch', 'Total limit of unacknowledged messages for all consumers on a channel', (ch) => ch.channelPrefetch),
    ],
  }),
  family<MessageCounters>('channel_exchange_metrics', {
    rows: channelCounterRows,
    total: (s) => s.totals.channels.messages,
    metrics: [
      counter('channel_messages_published_total', 'Total number of messages published into an exchange on a channel', (s) => s.publish),
      counter('channel_messages_confirmed_total', 'Total number of messages published into an exchange and confirmed on the channel', (s) => s.confirm),
      counter('channel_messages_unroutable_returned_total', 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable', (s) => s.returnUnroutable),
      counter('channel_messages_unroutable_dropped_total', 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable', (s) => s.dropUnroutable),
    ],
  }),
  family<MessageCounters>('channel_queue_metrics', {
    rows: channelCounterRows,
    total: (s) => s.totals.channels.messages,
    metrics: [
      counter('channel_get_ack_total', 'Total number of messages fetched with basic.get in manual acknowledgement mode', (s) => s.get),
      counter('channel_get_total', 'Total number of messages fetched with basic.get in automatic acknowledgement mode', (s) => s.getNoAck),
      counter('channel_messages_delivered_ack_total', 'Total number of messages delivered to consumers in manual acknowledgement mode', (s) => s.deliver),
      counter('channel_messages_delivered_total', 'Total number of messages delivered to consumers in automatic acknowledgement mode', (s) => s.deliverNoAck),
      counter('channel_messages_redelivered_total', 'Total number of messages redelivered to consumers', (s) => s.redeliver),
      counter('channel_messages_acked_total', 'Total number of messages acknowledged by consumers', (s) => s.ack),
      counter('channel_get_empty_total', 'Total number of times basic.get operations fetched no message', (s) => s.getEmpty),
    ],
  }),
  family<ConnectionFigures>('connection_coarse_metrics', {
    rows: connectionRows,
    total: connectionTotal,
    metrics: [
      counter('connection_incoming_bytes_total', 'Total number of bytes received on a connection', (c) => c.recvOct),
      counter('connection_outgoing_bytes_total', 'Total number of bytes sent on a connection', (c) => c.sendOct),
    ],
  }),
  family<ConnectionFigures>('connection_metrics', {
    rows: connectionRows,
    total: connectionTotal,
    metrics: [
      counter('connection_incoming_packets_total', 'Total number of packets received on a connection', (c) => c.recvCnt),
      counter('connection_outgoing_packets_total', 'Total number of packets sent on a connection', (c) => c.sendCnt),
      gauge('connection_pending_packets', 'Number of packets waiting to be sent on a connection', (c) => c.pending),
      gauge('connection_channels', 'Channels on a connection', (c) => c.channels),
    ],
  }),
  // per queue here (RabbitMQ's rows are per channel, queue and exchange); the aggregate counts what channels routed
  family<number>('channel_queue_exchange_metrics', {
    *rows(ctx) {
      for (const q of queues(ctx, null)) yield [{ queue_vhost: q.vhost, queue: q.name }, q.stats.publish];
    },
    total: (s) => s.totals.channels.messages.routed,
    metrics: [counter('queue_messages_published_total', 'Total number of messages published to queues', (n) => n)],
  }),
];

/** Groups only /metrics/detailed gives, cluster-wide in RabbitMQ (prefixed rabbitmq_cluster_). */
export const CLUSTER: readonly Family[] = [
  family<MgmtContext>('vhost_status', {
    *rows(ctx) {
      for (const v of ctx.broker.vhosts.keys()) yield [{ vhost: v }, ctx];
    },
    metrics: [gauge('vhost_status', 'Whether a given vhost is running', () => 1)],
  }),
  ...(
    [
      ['exchange_bindings', gauge<number>('exchange_bindings', 'Number of bindings for an exchange. This value is cluster-wide.', (n) => n)],
      ['exchange_names', gauge<number>('exchange_name', 'Enumerates exchanges without any additional info. This value is cluster-wide. A cheaper alternative to `exchange_bindings`', () => 1)],
    ] as const
  ).map(([name, metric]) =>
    family<number>(name, {
      *rows(ctx) {
        for (const v of ctx.broker.vhosts.values()) {
          for (const x of v.exchanges.values()) if (x.name !== '' && !x.options.internal) yield [{ vhost: v.name, exchange: x.name, type: x.options.type }, x.bindings.size];
        }
      },
      metrics: [metric],
    }),
  ),
];
