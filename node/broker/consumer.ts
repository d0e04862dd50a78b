import type { Message } from './message.js';
import type { Queue, QueueEntry } from './queue.js';

/**
 * What a queue needs of a consumer. The AMQP channel implements it; so will remote consumers relayed from
 * another node and federation links. The queue never sees frames or sockets.
 */
export interface Consumer {
  readonly tag: string;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  readonly priority: number;
  /** The consumer's channel identity; unacked deliveries are settled through it. */
  readonly owner: object;
  /** Whether a delivery may be sent now (prefetch credit, flow, socket backpressure). */
  ready(): boolean;
  deliver(queue: Queue, entry: QueueEntry, msg: Message, redelivered: boolean): void;
  /** The queue went away under the consumer (basic.cancel from the server). */
  cancelledByServer(queue: Queue): void;
}
