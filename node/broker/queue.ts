import { AmqpError, PropertyFlag, ReplyCode, type FieldTable } from '../../shared/amqp/index.js';
import type { Binding } from './binding.js';
import type { Consumer } from './consumer.js';
import type { DeathReason } from './dead-letter.js';
import type { MessageStore, RecoveredMessage, StoreHandle } from '../store/message-store.js';
import type { Message } from './message.js';
import { dedupKey } from './dedup-cache.js';
import { EntryTally } from './entry-tally.js';
import { PackedFifo } from './packed-fifo.js';
import { PriorityMessages, type QueueMessages } from './queue-messages.js';
import { MessageCounters } from './stats.js';
import { DEFAULT_SETTINGS, type QueueSettings } from './queue-settings.js';

/** A message's place in one queue. The same Message may sit in several queues, each with its own entry. */
export interface QueueEntry {
  /** The message, or null while it lives only on disk (lazy queues, recovered messages). */
  msg: Message | null;
  /** Its record in the message store (persistent in a durable queue, or paged out). */
  stored: StoreHandle | null;
  readonly size: number;
  readonly priority: number;
  /** Enqueue order; requeued messages go back to their place by it. */
  readonly seq: number;
  deliveryCount: number;
  /** Epoch ms after which the message is dead (queue TTL or per-message expiration); 0 = never. */
  readonly expiresAt: number;
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
  readonly singleActiveConsumer: boolean;
  readonly deduplicate: boolean;
}

/** What a queue needs from its vhost: removal, a route for its dead letters, the message store. */
export interface QueueHost {
  readonly store: MessageStore | null;
  /** Memory is short: queues page new and queued messages to the store (RabbitMQ's paging). */
  readonly paging: boolean;
  removeQueue(q: Queue): number;
  deadLetter(q: Queue, entries: readonly QueueEntry[], reason: DeathReason): void;
}

/** Longest timer Node keeps (a longer one fires after 1 ms); a far-off expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** An expiry past any clock reading (the latest Date); larger TTLs are capped here, keeping it a safe integer. */
const NEVER = 8.64e15;

/** What became of a message offered to a queue: refused (overflow), kept in memory, or written to disk. */
export type EnqueueOutcome = 'refused' | 'accepted' | 'persisted';

/**
 * A classic queue: ready messages, consumers, and the count of messages delivered but not yet settled.
 * Dispatch is synchronous and re-entrancy safe: whoever changes the conditions for delivery (a publish, an
 * ack freeing prefetch credit, a new consumer, a drained socket) calls `dispatch()`.
 *
 * TTL is enforced at the head, as RabbitMQ does: a message is checked when it reaches the head or is about
 * to be delivered, so an expired message is never delivered; one timer watches the head's expiry.
 * Length limits count ready messages; drop-head dead-letters the oldest (after a publish, a requeue or a
 * lower limit), reject-publish refuses the new one and never trims.
 */
export class Queue {
  readonly kind = 'queue' as const;
  messages: QueueMessages;
  /** Sorted by priority, highest first; registration order within a level. */
  private consumers: Consumer[] = [];
  /** With single active consumer: the one receiving messages. */
  private active: Consumer | null = null;
  private rr = 0;
  private dispatching = false;
  private hadConsumer = false;
  private nextSeq = 0;
  private ttlTimer: NodeJS.Timeout | null = null;
  private ttlTimerAt = 0;
  private unusedTimer: NodeJS.Timeout | null = null;
  settings: QueueSettings = DEFAULT_SETTINGS;
  /** Name of the policy and operator policy in force, for listings. */
  policy: string | null = null;
  operatorPolicy: string | null = null;
  /** Delivered, not yet acked. */
  private readonly held = new EntryTally();
  deleted = false;
  readonly stats = new MessageCounters();
  /** Bindings where this queue is the destination, so deleting it removes them. */
  readonly inbound = new Set<Binding>();
  /** Deduplicating queues: x-deduplication-header value by entry seq, and the values present. */
  private readonly dedupBySeq: Map<number, string> | null;
  private readonly dedupValues: Set<string> | null;

  constructor(
    readonly vhost: string,
    readonly options: QueueOptions,
    private readonly host: QueueHost,
  ) {
    this.messages = this.container();
    this.dedupBySeq = options.deduplicate ? new Map() : null;
    this.dedupValues = options.deduplicate ? new Set() : null;
  }

  private dedupKey(msg: Message): string | undefined {
    if (!msg.has(PropertyFlag.Headers)) return undefined;
    const v = msg.properties.headers?.['x-deduplication-header'];
    return v === undefined ? undefined : dedupKey(v);
  }

  /** Records a deduplicating queue's value for an entry; false if the value is already in the queue. */
  private claimDedup(seq: number, msg: Message): boolean {
    const key = this.dedupKey(msg);
    if (key === undefined) return true;
    if (this.dedupValues!.has(key)) return false;
    this.dedupValues!.add(key);
    this.dedupBySeq!.set(seq, key);
    return true;
  }

  /** The ready-message container for the queue's kind: one FIFO, or priority levels. */
  private container(): QueueMessages {
    return this.options.maxPriority === null ? new PackedFifo() : new PriorityMessages(this.options.maxPriority);
  }

  /** Lazy only where there is a store to page to. */
  get lazy(): boolean {
    return this.settings.queueMode === 'lazy' && this.host.store !== null;
  }

  get name(): string {
    return this.options.name;
  }
  get unacked(): number {
    return this.held.count;
  }
  get unackedTally(): Readonly<EntryTally> {
    return this.held;
  }
  get messageCount(): number {
    return this.messages.length;
  }
  get consumerCount(): number {
    return this.consumers.length;
  }
  /** With single active consumer: the one receiving messages. */
  get activeConsumer(): Consumer | undefined {
    return this.active ?? undefined;
  }

  /** New settings from a policy change: limits and TTL apply to what is already queued. */
  applySettings(s: QueueSettings): void {
    const wasLazy = this.lazy;
    this.settings = s;
    if (this.lazy !== wasLazy) this.repage(this.lazy);
    this.enforceLengthLimit();
    this.expireHead(Date.now());
    this.armUnusedTimer();
  }

  /**
   * Enqueues a routed message. Persistent messages in a durable queue, and every message of a lazy queue,
   * go to the message store; a lazy queue then keeps only the entry in memory.
   */
  enqueue(msg: Message): EnqueueOutcome {
    const s = this.settings;
    const expiresAt = this.expiryOf(msg);
    if (s.overflow !== 'drop-head' && this.wouldOverflow(msg)) {
      if (s.overflow === 'reject-publish-dlx') this.host.deadLetter(this, [this.entry(msg, null, expiresAt)], 'maxlen');
      return 'refused';
    }
    // the plugin's queue mode: a duplicate is dropped silently (and still confirmed)
    if (this.dedupValues && !this.claimDedup(this.nextSeq, msg)) return 'accepted';
    const store = this.host.store;
    const persist = store !== null && this.options.durable && msg.persistent;
    const entry = this.entry(msg, persist ? store!.add(this.vhost, this.name, msg, true, expiresAt) : null, expiresAt);
    this.stats.publish++;
    // fast path: nothing waiting and a consumer ready, so the message never sits in the queue
    if (this.messages.length === 0 && this.consumers.length > 0 && this.deliverNow(entry)) return persist ? 'persisted' : 'accepted';
    if (this.lazy || (this.host.paging && store !== null)) this.pageOut(entry);
    this.messages.push(entry);
    if (this.consumers.length > 0) this.dispatch();
    this.enforceLengthLimit();
    if (entry.expiresAt !== 0) this.expireHead(Date.now());
    return persist ? 'persisted' : 'accepted';
  }

  /** Pages every ready message out (to disk only) or in (back into memory). */
  private repage(out: boolean): void {
    this.messages.forEach(out ? (e) => this.pageOut(e) : (e) => void (e.msg ??= this.messageOf(e)));
  }

  /** Memory pressure: writes every ready in-memory message to the store and lets go of its body. */
  pageOutAll(): void {
    if (this.host.store !== null && !this.lazy) this.repage(true);
  }

  /** Makes sure an entry's message is in the store, then lets go of it in memory. */
  private pageOut(e: QueueEntry): void {
    e.stored ??= this.host.store!.add(this.vhost, this.name, e.msg!, false, e.expiresAt);
    e.msg = null;
  }

  private entry(msg: Message, stored: StoreHandle | null, expiresAt: number): QueueEntry {
    return { msg, stored, size: msg.size, priority: msg.priority, seq: this.nextSeq++, deliveryCount: 0, expiresAt };
  }

  /** Messages recovered from the store after a restart; they may have been delivered before, so redelivered. */
  restore(recovered: readonly RecoveredMessage[]): void {
    for (const r of recovered) {
      const e: QueueEntry = { msg: null, stored: r.handle, size: r.size, priority: r.priority, seq: this.nextSeq++, deliveryCount: 1, expiresAt: r.expiresAt };
      if (this.dedupValues) this.claimDedup(e.seq, this.messageOf(e));
      this.messages.push(e);
    }
    this.expireHead(Date.now());
  }

  /** The entry's message, read back from the store when it is paged out. */
  messageOf(e: QueueEntry): Message {
    return e.msg ?? this.host.store!.load(e.stored!);
  }

  /** The entry has left the queue for good: its stored record can go. */
  private forget(e: QueueEntry): void {
    if (e.stored) this.host.store!.settle(e.stored);
    const key = this.dedupBySeq?.get(e.seq);
    if (key !== undefined) {
      this.dedupBySeq!.delete(e.seq);
      this.dedupValues!.delete(key);
    }
  }

  private deadLetterAll(entries: readonly QueueEntry[], reason: DeathReason): void {
    this.host.deadLetter(this, entries, reason);
    for (const e of entries) this.forget(e);
  }

  private expiryOf(msg: Message): number {
    let ttl = this.settings.messageTtl;
    if (msg.has(PropertyFlag.Expiration)) {
      const perMessage = Number(msg.properties.expiration);
      if (Number.isInteger(perMessage) && perMessage >= 0) ttl = ttl === null ? perMessage : Math.min(ttl, perMessage);
    }
    // ttl 0 still allows delivery to a consumer that is ready right now, so never-expiring is 0 and
    // "expire at once" is now + 0 (checked after the immediate dispatch).
    return ttl === null ? 0 : Math.min(Date.now() + ttl, NEVER);
  }

  private wouldOverflow(msg: Message): boolean {
    const { maxLength, maxLengthBytes } = this.settings;
    if (maxLength !== null && this.messages.length + 1 > maxLength) return true;
    return maxLengthBytes !== null && this.messages.tally.bytes + msg.size > maxLengthBytes;
  }

  /** drop-head only: the reject modes refuse publishes but leave what is queued, as RabbitMQ does. */
  private enforceLengthLimit(): void {
    const { maxLength, maxLengthBytes, overflow } = this.settings;
    if ((maxLength === null && maxLengthBytes === null) || overflow !== 'drop-head') return;
    const dropped: QueueEntry[] = [];
    while (
      this.messages.length > 0 &&
      ((maxLength !== null && this.messages.length > maxLength) || (maxLengthBytes !== null && this.messages.tally.bytes > maxLengthBytes))
    ) {
      dropped.push(this.messages.shift()!);
    }
    if (dropped.length > 0) this.deadLetterAll(dropped, 'maxlen');
  }

  /** Dead-letters expired messages at the head and re-arms the timer for the next head. */
  private expireHead(now: number): void {
    const expired: QueueEntry[] = [];
    for (let e = this.messages.peek(); e && e.expiresAt !== 0 && e.expiresAt <= now; e = this.messages.peek()) {
      expired.push(this.messages.shift()!);
    }
    if (expired.length > 0) this.deadLetterAll(expired, 'expired');
    this.armTtlTimer();
  }

  private armTtlTimer(): void {
    const head = this.messages.peek();
    const at = head?.expiresAt ?? 0;
    if (at === this.ttlTimerAt) return;
    if (this.ttlTimer) clearTimeout(this.ttlTimer);
    this.ttlTimer = null;
    this.ttlTimerAt = at;
    if (at === 0 || this.deleted) return;
    this.ttlTimer = setTimeout(() => {
      this.ttlTimer = null;
      this.ttlTimerAt = 0;
      this.expireHead(Date.now());
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    this.ttlTimer.unref();
  }

  /** x-expires: delete the queue after it has gone unused (no consumers, no get, no redeclare) that long. */
  armUnusedTimer(): void {
    if (this.unusedTimer) clearTimeout(this.unusedTimer);
    this.unusedTimer = null;
    const ms = this.settings.expires;
    if (ms === null || this.deleted || this.consumers.length > 0) return;
    this.unusedTimer = setTimeout(() => this.host.removeQueue(this), ms);
    this.unusedTimer.unref();
  }

  /** basic.get: the next live message, counted unacked unless taken with no-ack. */
  get(noAck: boolean): { entry: QueueEntry; msg: Message } | undefined {
    this.armUnusedTimer();
    this.expireHead(Date.now());
    const e = this.messages.shift();
    if (!e) return undefined;
    e.deliveryCount++;
    const msg = this.messageOf(e);
    if (e.deliveryCount > 1) this.stats.redeliver++;
    if (noAck) {
      this.stats.getNoAck++;
      this.forget(e);
    } else {
      this.stats.get++;
      this.held.add(e);
    }
    this.armTtlTimer();
    return { entry: e, msg };
  }

  /** An unacked delivery was acked. */
  settle(e: QueueEntry): void {
    this.held.remove(e);
    this.stats.ack++;
    this.forget(e);
  }

  /** An unacked delivery was rejected or nacked without requeue: it is dead-lettered if configured. */
  reject(e: QueueEntry): void {
    this.held.remove(e);
    if (this.deleted) this.forget(e);
    else this.deadLetterAll([e], 'rejected');
  }

  /** Unacked deliveries come back (nack/reject with requeue, recover, channel closed). */
  requeue(entries: Iterable<QueueEntry>): void {
    for (const e of entries) {
      this.held.remove(e);
      if (this.deleted) this.forget(e);
      else this.messages.requeue(e);
    }
    this.enforceLengthLimit();
    this.expireHead(Date.now());
    this.dispatch();
  }

  /** Throws if a consumer with these flags may not attach now (exclusive use; never on a single-active-consumer queue). */
  checkConsumer(exclusive: boolean): void {
    if (this.consumers.some((x) => x.exclusive) || (exclusive && (this.consumers.length > 0 || this.options.singleActiveConsumer))) {
      throw new AmqpError(ReplyCode.AccessRefused, `queue '${this.name}' in vhost '${this.vhost}' in exclusive use`);
    }
  }

  /** Attaches a checked consumer; the caller dispatches once it has confirmed the consumer to its client. */
  addConsumer(c: Consumer): void {
    this.checkConsumer(c.exclusive);
    let i = this.consumers.length;
    while (i > 0 && this.consumers[i - 1]!.priority < c.priority) i--;
    this.consumers.splice(i, 0, c);
    if (this.options.singleActiveConsumer) this.active ??= c;
    this.hadConsumer = true;
    this.armUnusedTimer();
  }

  removeConsumer(c: Consumer): void {
    const i = this.consumers.indexOf(c);
    if (i < 0) return;
    this.consumers.splice(i, 1);
    // single active consumer: the waiting one of highest priority, the earliest of that level, takes over
    if (c === this.active) this.active = this.consumers[0] ?? null;
    if (this.consumers.length === 0 && this.hadConsumer && this.options.autoDelete && !this.deleted) {
      this.host.removeQueue(this);
      return;
    }
    this.armUnusedTimer();
    this.dispatch();
  }

  purge(): number {
    let n = 0;
    for (let e = this.messages.shift(); e !== undefined; e = this.messages.shift(), n++) this.forget(e);
    this.armTtlTimer();
    return n;
  }

  /** Marks the queue deleted, cancels its consumers and drops its messages; returns the ready count. */
  destroy(): number {
    this.deleted = true;
    const count = this.purge();
    if (this.unusedTimer) clearTimeout(this.unusedTimer);
    const consumers = this.consumers;
    this.consumers = [];
    this.active = null;
    for (const c of consumers) c.cancelledByServer(this);
    return count;
  }

  dispatch(): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    let expired: QueueEntry[] | null = null;
    try {
      let now = 0;
      while (this.messages.length > 0) {
        const c = this.nextConsumer();
        if (!c) break;
        const e = this.messages.shift()!;
        if (e.expiresAt !== 0) {
          now ||= Date.now();
          if (e.expiresAt < now) {
            (expired ??= []).push(e);
            continue;
          }
        }
        this.deliverTo(c, e);
      }
    } finally {
      this.dispatching = false;
    }
    if (expired) this.deadLetterAll(expired, 'expired');
    if (this.ttlTimerAt !== 0) this.armTtlTimer();
  }

  private deliverNow(e: QueueEntry): boolean {
    if (this.dispatching || this.deleted) return false;
    const c = this.nextConsumer();
    if (!c) return false;
    this.deliverTo(c, e);
    return true;
  }

  private deliverTo(c: Consumer, e: QueueEntry): void {
    const redelivered = e.deliveryCount > 0;
    e.deliveryCount++;
    if (!c.noAck) this.held.add(e);
    c.deliver(this, e, this.messageOf(e), redelivered);
    if (c.noAck) {
      this.stats.deliverNoAck++;
      this.forget(e);
    } else this.stats.deliver++;
    if (redelivered) this.stats.redeliver++;
  }

  /** Round-robin among the ready consumers of the highest priority level that has any ready. */
  private nextConsumer(): Consumer | undefined {
    if (this.options.singleActiveConsumer) {
      const c = this.active;
      return c?.ready() ? c : undefined;
    }
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
