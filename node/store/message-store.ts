/**
 * The node's message store: queued messages that must outlive the process (persistent messages in durable
 * queues) or the heap (lazy and paged queues), in one segmented log.
 *
 * Records: ENQUEUE (id, flags, vhost, queue, exchange, routing key, properties, body, then the BCC keys if
 * the flags say so) and SETTLE (ids).
 * A message is live from its ENQUEUE until a SETTLE names it. Recovery replays every segment: live
 * recoverable messages come back to their queues in id order; transient (lazy-only) ones are dropped.
 *
 * Space comes back by deleting whole segments. A segment may go when none of its enqueues is live and
 * every segment whose enqueues it settles is already gone — otherwise deleting its SETTLE records would
 * bring acked messages back at the next start.
 */
import type { Logger } from 'pino';
import { Reader, Writer } from '../../shared/amqp/index.js';
import { Message } from '../broker/message.js';
import { LiveIndex } from './live-index.js';
import { QueueInterner } from './queue-interner.js';
import { RecoveryProgress } from './recovery-progress.js';
import { SegmentLog, type RecordRef } from './segment-log.js';

const ENQUEUE = 1;
const SETTLE = 2;
const RECOVERABLE = 1;
const WITH_BCC = 2;

/** Where a stored message lives; kept by the queue entry. */
export interface StoreHandle {
  readonly id: number;
  readonly ref: RecordRef;
}

export interface RecoveredMessage {
  readonly handle: StoreHandle;
  readonly size: number;
  readonly priority: number;
  readonly expiresAt: number;
}

export interface RecoveredQueue {
  readonly vhost: string;
  readonly queue: string;
  readonly messages: RecoveredMessage[];
}

/** A message still live during replay, with the queue it returns to (null: transient, dropped). */
class LiveMessage implements RecoveredMessage {
  constructor(
    readonly handle: StoreHandle,
    readonly size: number,
    readonly priority: number,
    readonly expiresAt: number,
    readonly into: RecoveredQueue | null,
  ) {}
}

interface SegmentInfo {
  live: number;
  /** Segments whose enqueues this segment's SETTLE records refer to. */
  readonly settles: Set<number>;
}

export class MessageStore {
  private readonly log: SegmentLog;
  private nextId = 1;
  private readonly info = new Map<number, SegmentInfo>();
  private settleBatch: StoreHandle[] = [];
  private settleQueued = false;
  private readonly scratch = new Reader();
  /** One writer for all records: each record is handed out as its own subarray, never overwritten. */
  private readonly w = new Writer();

  constructor(
    dir: string,
    segmentSize: number,
    private readonly logger: Logger,
  ) {
    this.log = new SegmentLog(dir, segmentSize, logger);
  }

  /**
   * Replays the log; returns each queue's live recoverable messages, in enqueue order. Messages of queues
   * the caller does not restore must be settled by it (`settle`), so their space comes back.
   */
  recover(): RecoveredQueue[] {
    const live = new LiveIndex<LiveMessage>();
    const queues = new QueueInterner<RecoveredQueue>((vhost, queue) => ({ vhost, queue, messages: [] }));
    const progress = new RecoveryProgress(this.logger);
    let segId = 0; // segment ids start at 1
    let seg!: SegmentInfo;
    this.log.replay((payload, segment, offset) => {
      progress.record();
      if (segment !== segId) seg = this.segment((segId = segment));
      const r = this.scratch.reset(payload);
      const type = r.u8();
      if (type === ENQUEUE) {
        const id = r.u64();
        const flags = r.u8();
        const names = r.pos;
        r.skip(r.u8()); // vhost
        r.skip(r.u8()); // queue
        const into = (flags & RECOVERABLE) !== 0 ? queues.get(payload, names, r.pos) : null;
        const expiresAt = r.u64();
        const priority = r.u8();
        r.skip(r.u8()); // exchange
        r.skip(r.u8()); // routing key
        r.skip(r.u32()); // properties
        const size = r.u32(); // the body, which is what queues count
        seg.live++;
        live.add(id, new LiveMessage({ id, ref: { segment, offset, length: payload.length } }, size, priority, expiresAt, into));
        if (id >= this.nextId) this.nextId = id + 1;
      } else if (type === SETTLE) {
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const id = r.u64();
          const m = live.take(id);
          if (!m) continue;
          seg.settles.add(m.handle.ref.segment);
          this.segment(m.handle.ref.segment).live--;
        }
      } else {
        this.logger.warn({ segment, offset, type }, 'unknown record type in message store: skipped');
      }
    });
    let dropped = 0;
    for (const m of live.values()) {
      if (m.into) m.into.messages.push(m);
      else {
        this.settle(m.handle);
        dropped++;
      }
    }
    this.collect();
    this.logger.info({ records: progress.records, messages: live.size - dropped, ms: progress.elapsed }, 'message store recovered');
    return [...queues.values()].filter((q) => q.messages.length > 0);
  }

  private segment(id: number): SegmentInfo {
    let s = this.info.get(id);
    if (!s) this.info.set(id, (s = { live: 0, settles: new Set() }));
    return s;
  }

  /** Stores a message for a queue; `recoverable` ones come back after a restart. */
  add(vhost: string, queue: string, msg: Message, recoverable: boolean, expiresAt: number): StoreHandle {
    const w = this.w;
    w.mark();
    w.u8(ENQUEUE);
    w.u64(this.nextId);
    w.u8((recoverable ? RECOVERABLE : 0) | (msg.bcc === null ? 0 : WITH_BCC));
    w.shortstr(vhost);
    w.shortstr(queue);
    w.u64(expiresAt);
    w.u8(Math.min(255, msg.priority));
    w.shortstr(msg.exchange);
    w.shortstr(msg.routingKey);
    w.u32(msg.rawProperties.length);
    w.bytes(msg.rawProperties);
    w.u32(msg.body.length);
    const head = w.toBuffer();
    const ref = this.log.append(msg.bcc === null ? [head, msg.body] : [head, msg.body, this.keysRecord(msg.bcc)]);
    this.segment(ref.segment).live++;
    return { id: this.nextId++, ref };
  }

  private keysRecord(keys: readonly string[]): Buffer {
    const w = this.w;
    w.mark();
    w.u32(keys.length);
    for (const k of keys) w.longstr(k);
    return w.toBuffer();
  }

  /** Reads a stored message back. */
  load(h: StoreHandle): Message {
    const r = this.scratch.reset(this.log.read(h.ref));
    r.u8();
    r.u64();
    const flags = r.u8();
    r.shortstr();
    r.shortstr();
    r.u64();
    r.u8();
    const exchange = r.shortstr();
    const routingKey = r.shortstr();
    const props = r.longstr();
    const body = r.longstr();
    const msg = new Message(exchange, routingKey, props, body);
    if (flags & WITH_BCC) msg.bcc = Array.from({ length: r.u32() }, () => r.longstr().toString());
    return msg;
  }

  /** The message is gone from its queue (acked, dropped, expired, purged); logged in batches. */
  settle(h: StoreHandle): void {
    this.settleBatch.push(h);
    if (!this.settleQueued) {
      this.settleQueued = true;
      setImmediate(() => this.writeSettles());
    }
  }

  private writeSettles(): void {
    this.settleQueued = false;
    const batch = this.settleBatch;
    if (batch.length === 0) return;
    this.settleBatch = [];
    const w = this.w;
    w.mark();
    w.u8(SETTLE);
    w.u32(batch.length);
    for (const h of batch) w.u64(h.id);
    const ref = this.log.append([w.toBuffer()]);
    const into = this.segment(ref.segment);
    for (const h of batch) {
      into.settles.add(h.ref.segment);
      this.segment(h.ref.segment).live--;
    }
    this.collect();
  }

  /** Deletes every segment that holds nothing needed (see the header comment). */
  private collect(): void {
    let deleted = true;
    while (deleted) {
      deleted = false;
      for (const id of this.log.segmentIds) {
        const s = this.info.get(id) ?? this.segment(id);
        if (s.live > 0 || id === this.log.currentSegment) continue;
        if ([...s.settles].some((other) => other !== id && this.info.has(other))) continue;
        if (this.log.deleteSegment(id)) {
          this.info.delete(id);
          deleted = true;
        }
      }
    }
  }

  whenDurable(cb: () => void): void {
    this.log.whenDurable(cb);
  }

  close(): void {
    this.writeSettles();
    this.log.close();
  }
}
