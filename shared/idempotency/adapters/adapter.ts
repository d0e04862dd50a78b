// How the library sees a client's message: where its id is and how to settle it. One small object per
// client library; see amqplib.ts, amqp-client.ts, rabbitmq-client.ts.
export interface Adapter<M> {
  /** The message-id property, or undefined when the publisher set none. */
  messageId(message: M): string | undefined;
  ack(message: M): void | Promise<void>;
  /** requeue false: dead-lettered by the queue's DLX if it has one, else dropped. */
  nack(message: M, requeue: boolean): void | Promise<void>;
}

/** AMQP's message-id is a short string; clients type it loosely. */
export function idString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
