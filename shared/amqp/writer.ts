import { AmqpError, ReplyCode } from './errors.js';
import { Decimal, Typed, type FieldTable, type FieldValue } from './field-value.js';

const CHUNK = 64 * 1024;
/** Bodies at least this large are referenced, not copied, when written (see `bytesRef`). */
const REF_THRESHOLD = 4096;

/**
 * An append-only output buffer. Bytes go into a large chunk; finished regions are handed out as
 * subarrays (`drain`) and never overwritten, because a new chunk is started when one fills. That lets a
 * connection hand many frames to one `socket.write` per batch without copying, and lets big message bodies
 * be passed by reference. `mark()` starts a unit (a frame) that is moved whole when a chunk fills, so its
 * size field can be back-patched.
 */
export class Writer {
  private cur: Buffer = Buffer.allocUnsafe(CHUNK);
  private start = 0;
  private markAt = 0;
  pos = 0;
  private readonly done: Buffer[] = [];
  private doneBytes = 0;

  /** Bytes written and not yet drained. */
  get length(): number {
    return this.doneBytes + (this.pos - this.start);
  }

  mark(): number {
    this.markAt = this.pos;
    return this.pos;
  }

  /** Position of the current unit's start after any chunk move; use it to back-patch. */
  get markPos(): number {
    return this.markAt;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    const carried = this.pos - this.markAt;
    const next = Buffer.allocUnsafe(Math.max(CHUNK, carried + n));
    this.cur.copy(next, 0, this.markAt, this.pos);
    this.seal(this.markAt);
    this.cur = next;
    this.start = 0;
    this.markAt = 0;
    this.pos = carried;
  }

  private seal(upTo: number): void {
    if (upTo > this.start) {
      this.done.push(this.cur.subarray(this.start, upTo));
      this.doneBytes += upTo - this.start;
    }
    this.start = upTo;
  }

  /** Everything written so far, as buffers safe to keep; the writer continues empty. */
  drain(): Buffer[] {
    this.seal(this.pos);
    this.markAt = this.pos;
    const out = this.done.splice(0);
    this.doneBytes = 0;
    if (this.cur.length - this.pos < 512) {
      this.cur = Buffer.allocUnsafe(CHUNK);
      this.pos = this.start = this.markAt = 0;
    }
    return out;
  }

  /** Everything written so far as one buffer (tests, stored records). */
  toBuffer(): Buffer {
    const parts = this.drain();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  u8(v: number): void {
    this.ensure(1);
    this.cur[this.pos++] = v;
  }
  i8(v: number): void {
    this.ensure(1);
    this.pos = this.cur.writeInt8(v, this.pos);
  }
  u16(v: number): void {
    this.ensure(2);
    this.pos = this.cur.writeUInt16BE(v, this.pos);
  }
  i16(v: number): void {
    this.ensure(2);
    this.pos = this.cur.writeInt16BE(v, this.pos);
  }
  u32(v: number): void {
    this.ensure(4);
    this.pos = this.cur.writeUInt32BE(v >>> 0, this.pos);
  }
  i32(v: number): void {
    this.ensure(4);
    this.pos = this.cur.writeInt32BE(v, this.pos);
  }
  u64(v: number): void {
    this.ensure(8);
    this.pos = this.cur.writeUInt32BE(Math.floor(v / 0x1_0000_0000) >>> 0, this.pos);
    this.pos = this.cur.writeUInt32BE(v >>> 0, this.pos);
  }
  i64(v: number | bigint): void {
    this.ensure(8);
    this.pos = this.cur.writeBigInt64BE(BigInt(v), this.pos);
  }
  f32(v: number): void {
    this.ensure(4);
    this.pos = this.cur.writeFloatBE(v, this.pos);
  }
  f64(v: number): void {
    this.ensure(8);
    this.pos = this.cur.writeDoubleBE(v, this.pos);
  }
  /** Patch a 32-bit size written earlier at an absolute position in the current unit. */
  patchU32(at: number, v: number): void {
    this.cur.writeUInt32BE(v, at);
  }

  shortstr(s: string): void {
    const len = Buffer.byteLength(s);
    if (len > 255) throw new AmqpError(ReplyCode.SyntaxError, `short string longer than 255 bytes: '${s.slice(0, 40)}...'`);
    this.ensure(1 + len);
    this.cur[this.pos++] = len;
    this.pos += this.cur.write(s, this.pos, 'utf8');
  }
  longstr(s: string | Buffer): void {
    if (typeof s === 'string') {
      const len = Buffer.byteLength(s);
      this.ensure(4 + len);
      this.pos = this.cur.writeUInt32BE(len, this.pos);
      this.pos += this.cur.write(s, this.pos, 'utf8');
    } else {
      this.u32(s.length);
      this.bytes(s);
    }
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    this.pos += b.copy(this.cur, this.pos);
  }
  /**
   * Append bytes that end the current unit, by reference when large (message bodies): the caller must not
   * modify `b` afterwards. Must only be called at a unit boundary after which nothing is back-patched.
   */
  bytesRef(b: Buffer): void {
    if (b.length < REF_THRESHOLD) return this.bytes(b);
    this.seal(this.pos);
    this.done.push(b);
    this.doneBytes += b.length;
    this.markAt = this.pos;
  }
  timestamp(v: number): void {
    this.u64(v);
  }

  table(t: FieldTable | undefined): void {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    const offset = at - this.markAt;
    if (t) {
      for (const key of Object.keys(t)) {
        const v = t[key];
        if (v === undefined) continue;
        this.shortstr(key);
        this.value(v);
      }
    }
    // The unit may have moved to a new chunk while writing; recompute the size field's position.
    const sizeAt = this.markAt + offset;
    this.cur.writeUInt32BE(this.pos - sizeAt - 4, sizeAt);
  }

  private array(a: FieldValue[]): void {
    this.ensure(4);
    const offset = this.pos - this.markAt;
    this.pos += 4;
    for (const v of a) this.value(v);
    const sizeAt = this.markAt + offset;
    this.cur.writeUInt32BE(this.pos - sizeAt - 4, sizeAt);
  }

  private value(v: FieldValue): void {
    if (typeof v === 'string') {
      this.u8(0x53);
      this.longstr(v);
    } else if (typeof v === 'number') {
      if (Number.isInteger(v)) {
        if (v >= -0x8000_0000 && v <= 0x7fff_ffff) {
          this.u8(0x49);
          this.i32(v);
        } else {
          this.u8(0x6c);
          this.i64(v);
        }
      } else {
        this.u8(0x64);
        this.f64(v);
      }
    } else if (typeof v === 'bigint') {
      this.u8(0x6c);
      this.i64(v);
    } else if (typeof v === 'boolean') {
      this.u8(0x74);
      this.u8(v ? 1 : 0);
    } else if (v === null) {
      this.u8(0x56);
    } else if (Buffer.isBuffer(v)) {
      this.u8(0x78);
      this.u32(v.length);
      this.bytes(v);
    } else if (v instanceof Date) {
      this.u8(0x54);
      this.u64(Math.floor(v.getTime() / 1000));
    } else if (v instanceof Decimal) {
      this.u8(0x44);
      this.u8(v.scale);
      this.i32(v.value);
    } else if (v instanceof Typed) {
      this.typed(v);
    } else if (Array.isArray(v)) {
      this.u8(0x41);
      this.array(v);
    } else {
      this.u8(0x46);
      this.table(v);
    }
  }

  private typed(v: Typed): void {
    this.u8(v.tag.charCodeAt(0));
    const n = Number(v.value);
    switch (v.tag) {
      case 'b':
        return this.i8(n);
      case 'B':
        return this.u8(n);
      case 's':
        return this.i16(n);
      case 'u':
        return this.u16(n);
      case 'I':
        return this.i32(n);
      case 'i':
        return this.u32(n);
      case 'l':
        return this.i64(v.value);
      case 'f':
        return this.f32(n);
      case 'd':
        return this.f64(n);
    }
  }
}
