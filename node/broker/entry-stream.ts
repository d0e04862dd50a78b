import { ByteFifo } from './byte-fifo.js';
import { Deque } from './message-list.js';
import { Message } from './message.js';
import type { StoreHandle } from '../store/message-store.js';
import type { QueueEntry } from './queue.js';

const STORED = 1; // a store handle follows
const INLINE = 2; // the message follows: exchange, routing key, property block, body
const SHARED = 4; // the message is the next one in `shared`
const EXPIRES = 8;
const PRIORITY = 16;
const DELIVERED = 32;
const SAME_ROUTE = 64; // inline, with the exchange and routing key of the previous inline message
const FOLLOWS = 128; // sequence number, size and store handle as `Last.follows` predicts: none written

/**
 * Bodies from this size on stay Message objects shared by every queue they are in (RabbitMQ, too, shares
 * large binaries between queues); smaller ones are copied into the stream, where they cost their bytes and
 * no objects. A small message routed to many queues (fanout) is copied once: the queues after the first
 * share it.
 */
export const SHARE_FROM = 4096;

/** Room for the flags byte and up to twelve varints (8 bytes each at most: they hold safe integers). */
const FIELDS_ROOM = 1 + 12 * 8;

/** What the previous entries said, for delta coding; the writer and the reader each keep one. */
class Last {
  seq = 0;
  size = 0;
  id = 0;
  segment = 0;
  offset = 0;
  length = 0;
  /** Bytes between the last two stored records of one segment (the log's record header). */
  gap = 0;
  exchange = '';
  routingKey = '';

  /**
   * Whether an entry continues the pattern of a queue filled by one publisher: the next sequence number,
   * the same size, and if stored, the next store id, in the same segment right after the previous record,
   * of the same record length.
   */
  follows(seq: number, size: number, h: StoreHandle | null): boolean {
    if (seq !== this.seq + 1 || size !== this.size) return false;
    if (h === null) return true;
    const { segment, offset, length } = h.ref;
    return h.id === this.id + 1 && segment === this.segment && length === this.length && offset === this.offset + this.length + this.gap;
  }

  stored(id: number, segment: number, offset: number, length: number): void {
    if (segment === this.segment) this.gap = offset - this.offset - this.length;
    this.id = id;
    this.segment = segment;
    this.offset = offset;
    this.length = length;
  }
}

/**
 * Queue entries packed into a byte stream, oldest first, instead of an object (and a message object with
 * two buffer views) per entry. An entry is a flags byte, then what the flags say is there: sequence number,
 * size and store handle as deltas from the previous entry (nothing at all when they follow its pattern),
 * priority, delivery count, expiry (whole: the difference of two far-apart expiries can lose precision),
 * and the message's own bytes when it is held in memory. A paged entry of a queue filled by one publisher
 * is 1 byte, otherwise about 10; an in-memory one its message's bytes plus a few. Entries come out as
 * fresh objects.
 */
export class EntryStream {
  private readonly bytes = new ByteFifo();
  private readonly shared = new Deque<Message>();
  private readonly w = new Last();
  private readonly r = new Last();
  length = 0;

  push(e: QueueEntry): void {
    const msg = e.msg;
    const w = this.w;
    const b = this.bytes;
    const h = e.stored;
    let flags = (h ? STORED : 0) | (e.expiresAt !== 0 ? EXPIRES : 0) | (e.priority !== 0 ? PRIORITY : 0) | (e.deliveryCount !== 0 ? DELIVERED : 0);
    let room = FIELDS_ROOM;
    // a message with BCC keys stays an object: the stream has no room for them
    if (msg !== null && (e.size >= SHARE_FROM || msg.packed || msg.bcc !== null)) {
      flags |= SHARED;
      msg.compact();
      this.shared.push(msg);
    } else if (msg !== null) {
      flags |= INLINE;
      msg.packed = true;
      if (msg.exchange === w.exchange && msg.routingKey === w.routingKey) flags |= SAME_ROUTE;
      else room += 3 * (msg.exchange.length + msg.routingKey.length);
      room += msg.rawProperties.length + msg.body.length;
    }
    if (w.follows(e.seq, e.size, h)) flags |= FOLLOWS;
    b.reserve(room);
    b.u8(flags);
    if (!(flags & FOLLOWS)) {
      b.int(e.seq - w.seq);
      b.uint(e.size);
    }
    w.seq = e.seq;
    w.size = e.size;
    if (flags & PRIORITY) b.uint(e.priority);
    if (flags & DELIVERED) b.uint(e.deliveryCount);
    if (flags & EXPIRES) b.uint(e.expiresAt);
    if (h) {
      const { segment, offset, length } = h.ref;
      if (!(flags & FOLLOWS)) {
        b.int(h.id - w.id);
        b.int(segment - w.segment);
        b.int(offset - w.offset);
        b.uint(length);
      }
      w.stored(h.id, segment, offset, length);
    }
    if (flags & INLINE) {
      if (!(flags & SAME_ROUTE)) {
        b.str((w.exchange = msg!.exchange));
        b.str((w.routingKey = msg!.routingKey));
      }
      b.uint(msg!.rawProperties.length);
      b.bytes(msg!.rawProperties);
      b.bytes(msg!.body);
    }
    this.length++;
  }

  shift(): QueueEntry | undefined {
    if (this.length === 0) return undefined;
    const b = this.bytes;
    const r = this.r;
    const flags = b.readU8();
    const follows = (flags & FOLLOWS) !== 0;
    const seq = (r.seq = follows ? r.seq + 1 : r.seq + b.readInt());
    const size = (r.size = follows ? r.size : b.readUint());
    const priority = flags & PRIORITY ? b.readUint() : 0;
    const deliveryCount = flags & DELIVERED ? b.readUint() : 0;
    const expiresAt = flags & EXPIRES ? b.readUint() : 0;
    let stored = null;
    if (flags & STORED) {
      const id = follows ? r.id + 1 : r.id + b.readInt();
      const segment = follows ? r.segment : r.segment + b.readInt();
      const offset = follows ? r.offset + r.length + r.gap : r.offset + b.readInt();
      const length = follows ? r.length : b.readUint();
      r.stored(id, segment, offset, length);
      stored = { id, ref: { segment, offset, length } };
    }
    let msg: Message | null = null;
    if (flags & INLINE) {
      if (!(flags & SAME_ROUTE)) {
        r.exchange = b.readStr();
        r.routingKey = b.readStr();
      }
      // views, not copies (copying out costs more than the rest of the packing): a message keeps its chunk
      // alive until it is garbage, as a message received whole in a socket read chunk did
      const props = b.readView(b.readUint());
      msg = new Message(r.exchange, r.routingKey, props, b.readView(size));
    } else if (flags & SHARED) msg = this.shared.shift()!;
    b.next();
    this.length--;
    return { msg, stored, size, priority, seq, deliveryCount, expiresAt };
  }
}
