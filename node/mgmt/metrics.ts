import { totalmem } from 'node:os';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { MgmtContext } from './context.js';

/**
 * Prometheus metrics named as rabbitmq_prometheus names them, so existing dashboards and alerts work.
 * Values are read from the broker when scraped (collect callbacks); nothing is kept in between.
 */
export function createMetrics(ctx: MgmtContext): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'warren_' });
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this);
      },
    });
  };
  const queues = () => [...ctx.broker.vhosts.values()].flatMap((v) => [...v.queues.values()]);
  const perQueue = (name: string, help: string, value: (q: ReturnType<typeof queues>[number]) => number): void =>
    gauge(name, help, ['vhost', 'queue'], (g) => {
      for (const q of queues()) g.set({ vhost: q.vhost, queue: q.name }, value(q));
    });
  perQueue('rabbitmq_queue_messages_ready', 'Messages ready to be delivered to consumers', (q) => q.messageCount);
  perQueue('rabbitmq_queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', (q) => q.unacked);
  perQueue('rabbitmq_queue_messages', 'Sum of ready and unacknowledged messages', (q) => q.messageCount + q.unacked);
  perQueue('rabbitmq_queue_messages_ready_bytes', 'Size in bytes of ready messages', (q) => q.messages.tally.bytes);
  perQueue('rabbitmq_queue_consumers', 'Consumers on a queue', (q) => q.consumerCount);
  perQueue('rabbitmq_queue_messages_published_total', 'Total number of messages published to queues', (q) => q.stats.publish);
  perQueue('rabbitmq_queue_messages_delivered_total', 'Total number of messages delivered to consumers', (q) => q.stats.deliver + q.stats.deliverNoAck + q.stats.get + q.stats.getNoAck);
  perQueue('rabbitmq_queue_messages_acked_total', 'Total number of messages acknowledged by consumers', (q) => q.stats.ack);

  gauge('rabbitmq_queues', 'Queues available', [], (g) => g.set(queues().length));
  gauge('rabbitmq_connections', 'Connections currently open', [], (g) => g.set(ctx.amqp.connections.size));
  gauge('rabbitmq_channels', 'Channels currently open', [], (g) => g.set([...ctx.amqp.connections].reduce((n, c) => n + [...c.channelList].length, 0)));
  gauge('rabbitmq_consumers', 'Consumers currently connected', [], (g) => g.set(queues().reduce((n, q) => n + q.consumerCount, 0)));
  const channels = () => [...ctx.amqp.connections].flatMap((c) => [...c.channelList]);
  gauge('rabbitmq_global_messages_received_total', 'Total number of messages received from publishers', [], (g) => g.set(channels().reduce((n, ch) => n + ch.stats.publish, 0)));
  gauge('rabbitmq_global_messages_confirmed_total', 'Total number of messages confirmed to publishers', [], (g) => g.set(channels().reduce((n, ch) => n + ch.stats.confirm, 0)));
  gauge('rabbitmq_global_messages_unroutable_returned_total', 'Total number of messages returned to publishers as unroutable', [], (g) =>
    g.set(channels().reduce((n, ch) => n + ch.stats.returnUnroutable, 0)),
  );
  gauge('rabbitmq_process_resident_memory_bytes', 'Memory used in bytes', [], (g) => g.set(process.memoryUsage.rss()));
  gauge('rabbitmq_resident_memory_limit_bytes', 'Memory high watermark in bytes', [], (g) => g.set(Math.floor(totalmem() * ctx.config.memoryHighWatermark)));
  gauge('rabbitmq_alarms_memory_used_watermark', 'Is the memory alarm in effect', [], (g) => g.set(ctx.amqp.alarms.active === 'low on memory' ? 1 : 0));
  gauge('rabbitmq_alarms_free_disk_space_watermark', 'Is the disk alarm in effect', [], (g) => g.set(ctx.amqp.alarms.active === 'low on disk' ? 1 : 0));
  gauge('rabbitmq_identity_info', 'Node and cluster identity', ['rabbitmq_node', 'rabbitmq_cluster'], (g) => g.set({ rabbitmq_node: ctx.node, rabbitmq_cluster: ctx.node }, 1));
  return registry;
}
