import { Typed, type FieldTable } from '../../shared/amqp/index.js';
import { AmqpClient } from './client.js';
import { queueName, type PerfOptions } from './options.js';

/** Queue arguments typed as amqpload types them: integers are longs, true/false booleans, else strings. */
export function queueArguments(o: PerfOptions): FieldTable {
  const t: FieldTable = {};
  for (const [k, v] of o.queueArgs) {
    if (/^-?\d+$/.test(v)) t[k] = new Typed('l', Number(v));
    else if (v === 'true' || v === 'false') t[k] = v === 'true';
    else t[k] = v;
  }
  return t;
}

/** Declares the exchange (if any), the queues with their arguments and bindings; purges on request. */
export async function declareTopology(o: PerfOptions): Promise<void> {
  const c = await AmqpClient.open(o);
  try {
    if (o.exchange) {
      await c.rpc(1, {
        name: 'exchange.declare', ticket: 0, exchange: o.exchange, type: o.exchangeType, passive: false, durable: o.durable,
        autoDelete: false, internal: false, nowait: false, arguments: {},
      }, 'exchange.declare-ok');
    }
    const args = queueArguments(o);
    for (let i = 0; i < o.queues; i++) {
      const queue = queueName(o, i);
      await c.rpc(1, {
        name: 'queue.declare', ticket: 0, queue, passive: false, durable: o.durable, exclusive: false, autoDelete: false,
        nowait: false, arguments: args,
      }, 'queue.declare-ok');
      if (o.exchange) {
        await c.rpc(1, {
          name: 'queue.bind', ticket: 0, queue, exchange: o.exchange, routingKey: o.routingKey ?? '', nowait: false, arguments: {},
        }, 'queue.bind-ok');
      }
      if (o.purge) await c.rpc(1, { name: 'queue.purge', ticket: 0, queue, nowait: false }, 'queue.purge-ok');
    }
  } finally {
    await c.close();
  }
}

/** Deletes what declareTopology made (queues, then the exchange). */
export async function deleteTopology(o: PerfOptions): Promise<void> {
  const c = await AmqpClient.open(o);
  try {
    for (let i = 0; i < o.queues; i++) {
      const queue = queueName(o, i);
      await c.rpc(1, { name: 'queue.delete', ticket: 0, queue, ifUnused: false, ifEmpty: false, nowait: false }, 'queue.delete-ok', 60_000);
    }
    if (o.exchange) {
      await c.rpc(1, { name: 'exchange.delete', ticket: 0, exchange: o.exchange, ifUnused: false, nowait: false }, 'exchange.delete-ok');
    }
  } finally {
    await c.close();
  }
}
