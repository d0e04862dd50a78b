import { AmqpError, ReplyCode, type FieldTable } from '../../shared/amqp/index.js';
import type { Binding } from './binding.js';
import type { Consumer } from './consumer.js';
import type { Message } from './message.js';
import { FifoMessages, PriorityMessages, type QueueMessages } from './queue-messages.js';

/** A message's place in one queue. The same Message may sit in several queues, each with its own entry. */
export interface QueueEntry {
  readonly msg: Message;
  /** Enqueue order; requeued messages go back to their place by it. */
  readonly seq: number;
  deliveryCount: number;
}

export interface QueueOptions {
  readonly name: string;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  /** Connection that owns an exclusive queue. */
  readonly owner: object | null;
  readonly maxPriority: number | null;
}

/** Called by the queue when it should be removed (auto-delete after its last consumer). */
export type QueueRemover = (q: Queue) => void;

/**
 * A classic queue: ready messages, consumers, and the count of messages delivered but not yet settled.
 * Dispatch is synchronous and re-entrancy safe: whoever changes the conditions for delivery (a publish, an
 * ack freeing prefetch credit, a new consumer, a drained socket) calls `dispatch()`.
 */
export class Queue {
  readonly kind = 'queue' as const;
  readonly messages: QueueMessages;
  /** Sorted by priority, highest first; registration order within a level. */
  private consumers: Consumer[] = [];
  private rr = 0;
  private dispatching = false;
  private hadConsumer = false;
  private nextSeq = 0;
  unacked = 0;
  deleted = false;
  /** Bindings where this queue is the destination, so deleting it removes them. */
  readonly inbound = new Set<Binding>();

  constructor(
    readonly vhost: string,
    readonly options: QueueOptions,
    private readonly remove: QueueRemover,
  ) {
    this.messages = options.maxPriority === null ? new FifoMessages() : new PriorityMessages(options.maxPriority);
  }

  get name(): string {
    return this.options.name;
  }
  get messageCount(): number {
    return this.messages.length;
  }
  get consumerCount(): number {
    return this.consumers.length;
  }
  get consumerList(): readonly Consumer[] {
    return this.consumers;
  }

  enqueue(msg: Message): void {
    this.messages.push({ msg, seq: this.nextSeq++, deliveryCount: 0 });
    if (this.consumers.length > 0) this.dispatch();
  }

  /** basic.get: the next ready message, counted unacked unless taken with no-ack. */
  get(noAck: boolean): QueueEntry | undefined {
    const e = this.messages.shift();
    if (!e) return undefined;
    e.deliveryCount++;
    if (!noAck) this.unacked++;
    return e;
  }

  /** An unacked delivery was acked, or rejected without requeue. */
  settle(_e: QueueEntry): void {
    this.unacked--;
  }

  /** Unacked deliveries come back (nack/reject with requeue, recover, channel closed). */
  requeue(entries: Iterable<QueueEntry>): void {
    for (const e of entries) {
      this.unacked--;
      if (!this.deleted) this.messages.requeue(e);
    }
    this.dispatch();
  }

  /** Throws if a consumer with these flags may not attach now (exclusive use). */
  checkConsumer(exclusive: boolean): void {
    if (this.consumers.some((x) => x.exclusive) || (exclusive && this.consumers.length > 0)) {
      throw new AmqpError(ReplyCode.AccessRefused, `queue '${this.name}' in vhost '${this.vhost}' in exclusive use`);
    }
  }

  /** Attaches a checked consumer; the caller dispatches once it has confirmed the consumer to its client. */
  addConsumer(c: Consumer): void {
    this.checkConsumer(c.exclusive);
    let i = this.consumers.length;
    while (i > 0 && this.consumers[i - 1]!.priority < c.priority) i--;
    this.consumers.splice(i, 0, c);
    this.hadConsumer = true;
  }

  removeConsumer(c: Consumer): void {
    const i = this.consumers.indexOf(c);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    if (this.consumers.length === 0 && this.hadConsumer && this.options.autoDelete && !this.deleted) this.remove(this);
  }

  purge(): number {
    return this.messages.clear().length;
  }

  /** Marks the queue deleted, cancels its consumers and drops its messages; returns the ready count. */
  destroy(): number {
    this.deleted = true;
    const count = this.purge();
    const consumers = this.consumers;
    this.consumers = [];
    for (const c of consumers) c.cancelledByServer(this);
    return count;
  }

  dispatch(): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    try {
      while (this.messages.length > 0) {
        const c = this.nextConsumer();
        if (!c) break;
        const e = this.messages.shift()!;
        const redelivered = e.deliveryCount > 0;
        e.deliveryCount++;
        if (!c.noAck) this.unacked++;
        c.deliver(this, e, redelivered);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Round-robin among the ready consumers of the highest priority level that has any ready. */
  private nextConsumer(): Consumer | undefined {
    const cs = this.consumers;
    const n = cs.length;
    if (n === 1) return cs[0]!.ready() ? cs[0] : undefined;
    for (let i = 0; i < n; ) {
      const prio = cs[i]!.priority;
      let j = i + 1;
      while (j < n && cs[j]!.priority === prio) j++;
      const size = j - i;
      for (let k = 0; k < size; k++) {
        const c = cs[i + ((this.rr + k) % size)]!;
        if (c.ready()) {
          this.rr = (this.rr + k + 1) % size;
          return c;
        }
      }
      i = j;
    }
    return undefined;
  }
}
