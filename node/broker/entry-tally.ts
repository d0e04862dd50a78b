import type { QueueEntry } from './queue.js';

/**
 * Running totals of a set of queue entries (a queue's ready messages, or its unacked ones): how many, their
 * bytes, and how many of them have no body in memory (lazy, paged out, or recovered and not yet read).
 * Kept as entries come and go, so the management API reads them without walking a long queue.
 */
export class EntryTally {
  count = 0;
  bytes = 0;
  onDisk = 0;
  onDiskBytes = 0;

  /** Entries whose body is in memory, and their bytes. */
  get inMemory(): number {
    return this.count - this.onDisk;
  }
  get inMemoryBytes(): number {
    return this.bytes - this.onDiskBytes;
  }

  add(e: QueueEntry): void {
    this.count++;
    this.bytes += e.size;
    if (e.msg === null) {
      this.onDisk++;
      this.onDiskBytes += e.size;
    }
  }

  remove(e: QueueEntry): void {
    this.count--;
    this.bytes -= e.size;
    if (e.msg === null) {
      this.onDisk--;
      this.onDiskBytes -= e.size;
    }
  }

  static sum(tallies: readonly Readonly<EntryTally>[]): EntryTally {
    const t = new EntryTally();
    for (const x of tallies) {
      t.count += x.count;
      t.bytes += x.bytes;
      t.onDisk += x.onDisk;
      t.onDiskBytes += x.onDiskBytes;
    }
    return t;
  }
}
