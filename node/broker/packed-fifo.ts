import { EntryStream } from './entry-stream.js';
import { EntryTally } from './entry-tally.js';
import { Deque } from './message-list.js';
import type { QueueEntry } from './queue.js';
import type { QueueMessages } from './queue-messages.js';

/**
 * A short backlog stays as entry objects: packing costs a copy in and out per message, which pays for
 * itself (in memory and in garbage collection) only when messages wait in numbers.
 */
const UNPACKED_MAX = 1024;

/**
 * A FIFO of ready messages, whether they are in memory, on disk (lazy or paged queues) or both: the oldest
 * as entry objects, and past `unpackedMax` the rest packed (see EntryStream), decoded one at a time as they
 * reach the head. Every packed entry is newer than every unpacked one: a push is packed while anything is.
 * Requeued entries go to a small side list and are merged back by sequence number. The stream and the
 * side list exist only while they hold something, so an idle queue costs little.
 */
export class PackedFifo implements QueueMessages {
  private unpacked = new Deque<QueueEntry>();
  private packed: EntryStream | null = null;
  /** Requeued entries, sorted by seq (few, and they normally belong at the head). */
  private returned: Deque<QueueEntry> | null = null;
  private counted = new EntryTally();

  /** `unpackedMax`: how many entries may wait as objects before pushes are packed. */
  constructor(private readonly unpackedMax = UNPACKED_MAX) {}

  get length(): number {
    return this.counted.count;
  }
  get tally(): Readonly<EntryTally> {
    return this.counted;
  }

  push(e: QueueEntry): void {
    if (this.packed === null && this.unpacked.length < this.unpackedMax) this.unpacked.push(e);
    else (this.packed ??= new EntryStream()).push(e);
    this.counted.add(e);
  }

  peek(): QueueEntry | undefined {
    if (this.unpacked.length === 0 && this.packed !== null) {
      this.unpacked.push(this.packed.shift()!);
      if (this.packed.length === 0) this.packed = null;
    }
    const next = this.unpacked.peek();
    const r = this.returned?.peek();
    return r !== undefined && (next === undefined || r.seq < next.seq) ? r : next;
  }

  shift(): QueueEntry | undefined {
    const e = this.peek();
    if (e === undefined) return undefined;
    if (e === this.unpacked.peek()) this.unpacked.shift();
    else {
      this.returned!.shift();
      if (this.returned!.length === 0) this.returned = null;
    }
    this.counted.remove(e);
    return e;
  }

  requeue(e: QueueEntry): void {
    const returned = (this.returned ??= new Deque());
    let i = returned.length;
    while (i > 0 && returned.at(i - 1)!.seq > e.seq) i--;
    returned.insert(i, e);
    this.counted.add(e);
  }

  forEach(f: (e: QueueEntry) => void): void {
    // the old contents move to a FIFO of their own and come back one at a time, so a long queue is never
    // all entry objects at once (this runs on memory pressure, to page out)
    const old = new PackedFifo(this.unpackedMax);
    [old.unpacked, old.packed, old.returned, old.counted] = [this.unpacked, this.packed, this.returned, this.counted];
    [this.unpacked, this.packed, this.returned, this.counted] = [new Deque(), null, null, new EntryTally()];
    for (let e = old.shift(); e !== undefined; e = old.shift()) {
      f(e);
      this.push(e);
    }
  }
}
