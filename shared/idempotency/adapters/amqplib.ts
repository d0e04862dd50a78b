// amqplib: messages are settled through the channel that delivered them.
//
//   const idem = new IdempotentConsumer({ redis: 'redis://127.0.0.1:6379', namespace: 'billing' });
//   await ch.consume('orders', amqplibHandler(idem, ch, async (msg, { fence }) => charge(msg, fence)));
import type { HandlerOptions, Handler, IdempotentConsumer } from '../consumer.js';
import { idString, type Adapter } from './adapter.js';

/** The parts of an amqplib ConsumeMessage the library reads. */
export interface AmqplibMessage {
  readonly properties: { readonly messageId?: unknown };
}

/** The parts of an amqplib Channel (or ConfirmChannel) the library calls. */
export interface AmqplibChannel<M> {
  ack(message: M, allUpTo?: boolean): void;
  nack(message: M, allUpTo?: boolean, requeue?: boolean): void;
}

export function amqplibAdapter<M extends AmqplibMessage>(channel: AmqplibChannel<M>): Adapter<M> {
  return {
    messageId: (m) => idString(m.properties.messageId),
    ack: (m) => channel.ack(m),
    nack: (m, requeue) => channel.nack(m, false, requeue),
  };
}

/** A callback for channel.consume (with noAck false). A null message (consumer cancelled by the broker) is ignored. */
export function amqplibHandler<M extends AmqplibMessage>(
  consumer: IdempotentConsumer,
  channel: AmqplibChannel<M>,
  handler: Handler<M>,
  options: HandlerOptions<M> = {},
): (message: M | null) => void {
  const handle = consumer.handler(amqplibAdapter(channel), handler, options);
  return (message) => {
    if (message !== null) void handle(message);
  };
}
