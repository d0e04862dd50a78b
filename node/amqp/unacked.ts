import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import type { Queue, QueueEntry } from '../broker/queue.js';
import type { ChannelConsumer } from './channel-consumer.js';

export interface Delivery {
  readonly queue: Queue;
  readonly entry: QueueEntry;
  /** null for basic.get deliveries. */
  readonly consumer: ChannelConsumer | null;
  /** When it was delivered (epoch ms), for the delivery-acknowledgement timeout. */
  readonly at: number;
}

/**
 * A channel's deliveries awaiting ack, by delivery tag. Tags only grow and a Map iterates in insertion
 * order, so "everything up to tag N" (multiple=true) is a walk from the front that stops at the first
 * larger tag.
 */
export class Unacked {
  private readonly byTag = new Map<number, Delivery>();
  lastTag = 0;

  get size(): number {
    return this.byTag.size;
  }

  add(queue: Queue, entry: QueueEntry, consumer: ChannelConsumer | null): number {
    const tag = ++this.lastTag;
    this.byTag.set(tag, { queue, entry, consumer, at: Date.now() });
    if (consumer) consumer.unacked++;
    return tag;
  }

  /** Delivery time of the oldest outstanding delivery, or 0 when none. */
  get oldest(): number {
    for (const d of this.byTag.values()) return d.at;
    return 0;
  }

  /** How many outstanding deliveries have a tag up to `tag`. */
  countUpTo(tag: number): number {
    let n = 0;
    for (const t of this.byTag.keys()) {
      if (t > tag) break;
      n++;
    }
    return n;
  }

  has(tag: number): boolean {
    return this.byTag.has(tag);
  }

  /**
   * Removes and returns the deliveries an ack/nack/reject names: one tag, or with `multiple` every tag up
   * to it (0 = all). An unknown tag is 406, as RabbitMQ answers.
   */
  take(tag: number, multiple: boolean): Delivery[] {
    if (multiple) {
      // the named tag itself must be outstanding (RabbitMQ refuses an already-settled one)
      if (tag !== 0 && !this.byTag.has(tag)) throw unknownTag(tag);
      const out: Delivery[] = [];
      for (const [t, d] of this.byTag) {
        if (tag !== 0 && t > tag) break;
        out.push(this.release(t, d));
      }
      return out;
    }
    const d = this.byTag.get(tag);
    if (!d) throw unknownTag(tag);
    return [this.release(tag, d)];
  }

  /** Everything outstanding, in delivery order (recover, channel close). */
  takeAll(): Delivery[] {
    return this.take(0, true);
  }

  private release(tag: number, d: Delivery): Delivery {
    this.byTag.delete(tag);
    if (d.consumer) d.consumer.unacked--;
    return d;
  }
}

function unknownTag(tag: number): AmqpError {
  return new AmqpError(ReplyCode.PreconditionFailed, `unknown delivery tag ${tag}`);
}

/** Groups deliveries by queue, keeping delivery order within each queue. */
export function byQueue(ds: readonly Delivery[]): Map<Queue, QueueEntry[]> {
  const m = new Map<Queue, QueueEntry[]>();
  for (const d of ds) {
    let list = m.get(d.queue);
    if (!list) m.set(d.queue, (list = []));
    list.push(d.entry);
  }
  return m;
}
