// @cloudamqp/amqp-client: messages settle themselves (msg.ack(), msg.nack(requeue)).
//
//   await q.subscribe({ noAck: false }, amqpClientHandler(idem, async (msg, { fence }) => { ... }));
import type { HandlerOptions, Handler, IdempotentConsumer } from '../consumer.js';
import { idString, type Adapter } from './adapter.js';

/** The parts of an AMQPMessage the library uses. */
export interface AmqpClientMessage {
  readonly properties: { readonly messageId?: unknown };
  ack(): Promise<void>;
  nack(requeue?: boolean): Promise<void>;
}

export const amqpClientAdapter: Adapter<AmqpClientMessage> = {
  messageId: (m) => idString(m.properties.messageId),
  ack: (m) => m.ack(),
  nack: (m, requeue) => m.nack(requeue),
};

export function amqpClientHandler<M extends AmqpClientMessage>(
  consumer: IdempotentConsumer,
  handler: Handler<M>,
  options: HandlerOptions<M> = {},
): (message: M) => Promise<void> {
  return consumer.handler<M>(amqpClientAdapter, handler, options);
}
