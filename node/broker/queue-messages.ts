import { EntryTally } from './entry-tally.js';
import { PackedFifo } from './packed-fifo.js';
import type { QueueEntry } from './queue.js';

/** The ready messages of a queue, in delivery order: one PackedFifo, or one per priority level. */
export interface QueueMessages {
  readonly length: number;
  /** Totals of the ready messages (bytes, and how many have no body in memory). */
  readonly tally: Readonly<EntryTally>;
  push(e: QueueEntry): void;
  shift(): QueueEntry | undefined;
  peek(): QueueEntry | undefined;
  /** Put a returned message back where its sequence number says it belongs. */
  requeue(e: QueueEntry): void;
  /**
   * Calls `f` on every entry in delivery order, in place: `f` may page an entry out or in (its `msg` and
   * `stored`), nothing else.
   */
  forEach(f: (e: QueueEntry) => void): void;
}

/**
 * Priority levels 0..max, each a FIFO of its own; a message's priority is capped at max (RabbitMQ treats
 * a higher one as the maximum). Highest level first.
 */
export class PriorityMessages implements QueueMessages {
  private readonly levels: QueueMessages[];
  private counted = new EntryTally();

  constructor(
    readonly maxPriority: number,
    level: () => QueueMessages = () => new PackedFifo(),
  ) {
    this.levels = Array.from({ length: maxPriority + 1 }, level);
  }

  get length(): number {
    return this.counted.count;
  }
  get tally(): Readonly<EntryTally> {
    return this.counted;
  }
  private level(e: QueueEntry): QueueMessages {
    return this.levels[Math.min(e.priority, this.maxPriority)]!;
  }
  push(e: QueueEntry): void {
    this.level(e).push(e);
    this.counted.add(e);
  }
  private top(): QueueMessages | undefined {
    if (this.counted.count === 0) return undefined;
    for (let p = this.maxPriority; p >= 0; p--) if (this.levels[p]!.length > 0) return this.levels[p];
    return undefined;
  }
  shift(): QueueEntry | undefined {
    const e = this.top()?.shift();
    if (e) this.counted.remove(e);
    return e;
  }
  peek(): QueueEntry | undefined {
    return this.top()?.peek();
  }
  requeue(e: QueueEntry): void {
    this.level(e).requeue(e);
    this.counted.add(e);
  }
  forEach(f: (e: QueueEntry) => void): void {
    for (let p = this.maxPriority; p >= 0; p--) this.levels[p]!.forEach(f);
    // `f` may have paged entries in or out: the levels know their own totals
    this.counted = EntryTally.sum(this.levels.map((l) => l.tally));
  }
}
