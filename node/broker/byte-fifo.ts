const EMPTY = Buffer.alloc(0);
const MIN_CHUNK = 4 * 1024;
/** As large as a socket read: a message read out as views of a chunk keeps no more alive than one of those did. */
const MAX_CHUNK = 64 * 1024;

/**
 * Bytes written at the tail and read once from the head, held in a chain of chunks: the storage under
 * packed queue entries. Chunks double from 4 KB up to 64 KB as a backlog builds (no copying, unlike a
 * growing array) and the stream lets go of a chunk as soon as it has been read, so memory follows the
 * backlog both ways. Written bytes are never overwritten, so views handed out by `readView` stay valid.
 *
 * Numbers are LEB128 varints (non-negative integers up to 2^53) or zigzag varints (signed). A writer
 * `reserve`s room for a whole record first, so a record never straddles two chunks; a reader calls
 * `next()` after each record.
 */
export class ByteFifo {
  private wbuf: Buffer = EMPTY;
  private wpos = 0;
  private rbuf: Buffer = EMPTY;
  private rpos = 0;
  /** Where the chunk being read ends, once the writer has moved on from it. */
  private rend = 0;
  /** Written chunks between the one being read and the one being written, each cut to its length. */
  private readonly waiting: Buffer[] = [];

  get empty(): boolean {
    return this.rbuf === this.wbuf && this.rpos === this.wpos;
  }

  /** Makes room for a record of at most `n` bytes at the tail. */
  reserve(n: number): void {
    if (this.wpos + n <= this.wbuf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(n, Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, this.wbuf.length * 2))));
    if (this.empty) this.rbuf = next;
    else if (this.rbuf === this.wbuf) this.rend = this.wpos;
    else this.waiting.push(this.wbuf.subarray(0, this.wpos));
    this.wbuf = next;
    if (this.rbuf === next) this.rpos = 0;
    this.wpos = 0;
  }

  u8(v: number): void {
    this.wbuf[this.wpos++] = v;
  }

  uint(v: number): void {
    const b = this.wbuf;
    let p = this.wpos;
    for (; v > 0x7fffffff; v = Math.floor(v / 128)) b[p++] = (v & 0x7f) | 0x80;
    for (; v >= 0x80; v >>>= 7) b[p++] = (v & 0x7f) | 0x80;
    b[p++] = v;
    this.wpos = p;
  }

  int(v: number): void {
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** A string as its UTF-8 byte length and bytes (room: 3 bytes per UTF-16 unit, plus the length). */
  str(s: string): void {
    const n = Buffer.byteLength(s);
    this.uint(n);
    this.wpos += this.wbuf.write(s, this.wpos, n, 'utf8');
  }

  bytes(b: Buffer): void {
    this.wbuf.set(b, this.wpos); // a plain typed-array copy: Buffer#copy costs more per call
    this.wpos += b.length;
  }

  readU8(): number {
    return this.rbuf[this.rpos++]!;
  }

  readUint(): number {
    const b = this.rbuf;
    let p = this.rpos;
    let byte = b[p++]!;
    let v = byte & 0x7f;
    for (let mul = 128; byte >= 0x80; mul *= 128) {
      byte = b[p++]!;
      v += (byte & 0x7f) * mul;
    }
    this.rpos = p;
    return v;
  }

  readInt(): number {
    const u = this.readUint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  readStr(): string {
    const n = this.readUint();
    const s = this.rbuf.toString('utf8', this.rpos, this.rpos + n);
    this.rpos += n;
    return s;
  }

  /** The next `n` bytes, as a view of the chunk (which it keeps alive). */
  readView(n: number): Buffer {
    return this.rbuf.subarray(this.rpos, (this.rpos += n));
  }

  /** Ends a record read: past the end of a chunk the writer has left, reading goes on in the next one. */
  next(): void {
    if (this.rbuf === this.wbuf || this.rpos < this.rend) return;
    this.rbuf = this.waiting.shift() ?? this.wbuf;
    this.rend = this.rbuf.length;
    this.rpos = 0;
  }
}
