import type { Consumer } from '../broker/consumer.js';
import type { Message } from '../broker/message.js';
import type { Queue, QueueEntry } from '../broker/queue.js';
import type { Channel } from './channel.js';

/** A basic.consume subscription: the queue's view of a consumer on this channel. */
export class ChannelConsumer implements Consumer {
  /** Deliveries to this consumer not yet settled (for the per-consumer prefetch limit). */
  unacked = 0;

  constructor(
    readonly channel: Channel,
    readonly queue: Queue,
    readonly tag: string,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    readonly priority: number,
    /** Per-consumer prefetch (basic.qos global=false at consume time); 0 = unlimited. */
    readonly prefetch: number,
  ) {}

  get owner(): object {
    return this.channel;
  }

  ready(): boolean {
    return this.channel.canDeliver(this);
  }

  deliver(queue: Queue, entry: QueueEntry, msg: Message, redelivered: boolean): void {
    this.channel.deliver(this, queue, entry, msg, redelivered);
  }

  cancelledByServer(): void {
    this.channel.consumerCancelledByServer(this);
  }
}
