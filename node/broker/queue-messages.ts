import { Deque } from './message-list.js';
import type { QueueEntry } from './queue.js';

/** The ready messages of a queue, in delivery order. Classic is FIFO; priority keeps one FIFO per level. */
export interface QueueMessages {
  readonly length: number;
  readonly bytes: number;
  push(e: QueueEntry): void;
  shift(): QueueEntry | undefined;
  peek(): QueueEntry | undefined;
  /** Put a returned message back where its sequence number says it belongs. */
  requeue(e: QueueEntry): void;
  /** Remove and return everything (purge, delete). */
  clear(): QueueEntry[];
  [Symbol.iterator](): IterableIterator<QueueEntry>;
}

/** Insert by sequence number; returned messages normally belong at or near the head, so scan from there. */
function insertBySeq(d: Deque<QueueEntry>, e: QueueEntry): void {
  let i = 0;
  const n = d.length;
  while (i < n && d.at(i)!.seq < e.seq) i++;
  d.insert(i, e);
}

export class FifoMessages implements QueueMessages {
  private readonly d = new Deque<QueueEntry>();
  bytes = 0;

  get length(): number {
    return this.d.length;
  }
  push(e: QueueEntry): void {
    this.d.push(e);
    this.bytes += e.size;
  }
  shift(): QueueEntry | undefined {
    const e = this.d.shift();
    if (e) this.bytes -= e.size;
    return e;
  }
  peek(): QueueEntry | undefined {
    return this.d.peek();
  }
  requeue(e: QueueEntry): void {
    insertBySeq(this.d, e);
    this.bytes += e.size;
  }
  clear(): QueueEntry[] {
    this.bytes = 0;
    return this.d.clear();
  }
  [Symbol.iterator](): IterableIterator<QueueEntry> {
    return this.d[Symbol.iterator]();
  }
}

/**
 * Priority levels 0..max, each a FIFO of its own (in memory, or paged for lazy queues); a message's
 * priority is capped at max (RabbitMQ treats a higher one as the maximum). Highest level first.
 */
export class PriorityMessages implements QueueMessages {
  private readonly levels: QueueMessages[];
  private count = 0;
  bytes = 0;

  constructor(
    readonly maxPriority: number,
    level: () => QueueMessages,
  ) {
    this.levels = Array.from({ length: maxPriority + 1 }, level);
  }

  get length(): number {
    return this.count;
  }
  private level(e: QueueEntry): QueueMessages {
    return this.levels[Math.min(e.priority, this.maxPriority)]!;
  }
  push(e: QueueEntry): void {
    this.level(e).push(e);
    this.count++;
    this.bytes += e.size;
  }
  private top(): QueueMessages | undefined {
    if (this.count === 0) return undefined;
    for (let p = this.maxPriority; p >= 0; p--) if (this.levels[p]!.length > 0) return this.levels[p];
    return undefined;
  }
  shift(): QueueEntry | undefined {
    const e = this.top()?.shift();
    if (e) {
      this.count--;
      this.bytes -= e.size;
    }
    return e;
  }
  peek(): QueueEntry | undefined {
    return this.top()?.peek();
  }
  requeue(e: QueueEntry): void {
    this.level(e).requeue(e);
    this.count++;
    this.bytes += e.size;
  }
  clear(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (let p = this.maxPriority; p >= 0; p--) out.push(...this.levels[p]!.clear());
    this.count = 0;
    this.bytes = 0;
    return out;
  }
  *[Symbol.iterator](): IterableIterator<QueueEntry> {
    for (let p = this.maxPriority; p >= 0; p--) yield* this.levels[p]!;
  }
}
