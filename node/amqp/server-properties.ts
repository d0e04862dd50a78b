import { hostname } from 'node:os';
import type { FieldTable } from '../../shared/amqp/index.js';

export const VERSION = '0.1.0';

/**
 * What `connection.start` tells clients. Only capabilities Warren really implements are advertised: a
 * client that sees one will rely on it.
 */
export function serverProperties(clusterName: string = `warren@${hostname()}`): FieldTable {
  return {
    product: 'Warren',
    version: VERSION,
    platform: `Node.js ${process.version}`,
    information: 'Warren: an AMQP 0-9-1 broker; RabbitMQ clients work unchanged',
    cluster_name: clusterName,
    capabilities: {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      consumer_priorities: true,
      authentication_failure_close: true,
      per_consumer_qos: true,
    },
  };
}
