import type { MessageCounters } from '../broker/stats.js';
import type { ChannelSums } from './client-totals.js';
import { counter, family, gauge, type Family } from './metric-family.js';
import { deliveredOrGot } from './message-stats.js';

/**
 * RabbitMQ's global counters (rabbit_global_counters, rabbitmq_global_* on /metrics): node-wide, and
 * counting what closed channels had counted, so they never go down. Labelled as RabbitMQ labels its AMQP
 * 0-9-1 rows; Warren's queues are all classic.
 */

export const GLOBAL: readonly Family[] = [
  family<ChannelSums>('global_protocol', {
    rows: (s) => [[{ protocol: 'amqp091' }, s.totals.channels]],
    metrics: [
      counter('global_messages_received_total', 'Total number of messages received from publishers', (p) => p.messages.publish),
      counter('global_messages_received_confirm_total', 'Total number of messages received from publishers expecting confirmations', (p) => p.messages.receivedConfirm),
      counter('global_messages_routed_total', 'Total number of messages routed to queues or streams', (p) => p.messages.routed),
      counter('global_messages_unroutable_dropped_total', 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable', (p) => p.messages.dropUnroutable),
      counter('global_messages_unroutable_returned_total', 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable', (p) => p.messages.returnUnroutable),
      counter('global_messages_confirmed_total', 'Total number of messages confirmed to publishers', (p) => p.messages.confirm),
      gauge('global_publishers', 'Current number of publishers', (p) => p.publishers),
      gauge('global_consumers', 'Current number of consumers', (p) => p.consumers),
    ],
  }),
  family<MessageCounters>('global_protocol_queue_type', {
    rows: (s) => [[{ protocol: 'amqp091', queue_type: 'rabbit_classic_queue' }, s.totals.channels.messages]],
    metrics: [
      counter('global_messages_delivered_total', 'Total number of messages delivered to consumers', deliveredOrGot),
      counter('global_messages_delivered_consume_manual_ack_total', 'Total number of messages delivered to consumers using basic.consume with manual acknowledgment', (s) => s.deliver),
      counter('global_messages_delivered_consume_auto_ack_total', 'Total number of messages delivered to consumers using basic.consume with automatic acknowledgment', (s) => s.deliverNoAck),
      counter('global_messages_delivered_get_manual_ack_total', 'Total number of messages delivered to consumers using basic.get with manual acknowledgment', (s) => s.get),
      counter('global_messages_delivered_get_auto_ack_total', 'Total number of messages delivered to consumers using basic.get with automatic acknowledgment', (s) => s.getNoAck),
      counter('global_messages_get_empty_total', 'Total number of times basic.get operations fetched no message', (s) => s.getEmpty),
      counter('global_messages_redelivered_total', 'Total number of messages redelivered to consumers', (s) => s.redeliver),
      counter('global_messages_acknowledged_total', 'Total number of messages acknowledged by consumers', (s) => s.ack),
    ],
  }),
];
