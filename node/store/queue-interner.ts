/**
 * Recovery's map from the raw `[shortstr vhost][shortstr queue]` bytes of an ENQUEUE record to one object
 * per queue. Consecutive records almost always name the same queue, so comparing bytes with the last name
 * seen spares decoding two strings and building a key per record (a large share of recovery time).
 */
export class QueueInterner<T> {
  private readonly byName = new Map<string, T>();
  private last: T | null = null;
  /** Two shortstrs: at most 2 + 255 + 255 bytes. */
  private readonly lastBytes = Buffer.alloc(512);
  private lastLength = 0;

  constructor(private readonly create: (vhost: string, queue: string) => T) {}

  /** The queue whose name is `buf[start, end)`. */
  get(buf: Buffer, start: number, end: number): T {
    const length = end - start;
    if (this.last !== null && length === this.lastLength && this.isLast(buf, start, length)) return this.last;
    const vhostEnd = start + 1 + buf[start]!;
    const vhost = buf.toString('utf8', start + 1, vhostEnd);
    const queue = buf.toString('utf8', vhostEnd + 1, end);
    const key = `${vhost}\u0000${queue}`;
    let t = this.byName.get(key);
    if (t === undefined) this.byName.set(key, (t = this.create(vhost, queue)));
    buf.copy(this.lastBytes, 0, start, end);
    this.lastLength = length;
    this.last = t;
    return t;
  }

  values(): IterableIterator<T> {
    return this.byName.values();
  }

  private isLast(buf: Buffer, start: number, length: number): boolean {
    const last = this.lastBytes;
    for (let i = 0; i < length; i++) if (buf[start + i] !== last[i]) return false;
    return true;
  }
}
