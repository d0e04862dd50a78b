import { frameError, TruncatedError } from './errors.js';
import { Decimal, Typed, type FieldTable, type FieldValue } from './field-value.js';

/** Deepest nesting of tables/arrays accepted: bounds recursion (a known stack-overflow vector in peers). */
export const MAX_TABLE_DEPTH = 64;

/**
 * A cursor over a frame payload. One instance is reused per connection (reset per frame), so reading a
 * method allocates only the values it returns. Every read is bounds-checked against `end`: a truncated
 * argument is a FRAME_ERROR, never a read past the frame.
 */
export class Reader {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  end = 0;

  reset(buf: Buffer, start = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw new TruncatedError();
    this.pos = p + n;
    return p;
  }

  /** Advances past n bytes (bounds-checked). */
  skip(n: number): void {
    this.need(n);
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }
  i8(): number {
    return this.buf.readInt8(this.need(1));
  }
  u16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  i16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  i32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  /** Unsigned 64-bit as a JS number; exact up to 2^53 (delivery tags, body sizes). */
  u64(): number {
    const p = this.need(8);
    return this.buf.readUInt32BE(p) * 0x1_0000_0000 + this.buf.readUInt32BE(p + 4);
  }
  /** Signed 64-bit: a number when it is exactly representable, else a bigint. */
  i64(): number | bigint {
    const v = this.buf.readBigInt64BE(this.need(8));
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  f32(): number {
    return this.buf.readFloatBE(this.need(4));
  }
  f64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  shortstr(): string {
    const len = this.u8();
    const p = this.need(len);
    return this.buf.toString('utf8', p, p + len);
  }
  longstr(): Buffer {
    const len = this.u32();
    const p = this.need(len);
    return this.buf.subarray(p, p + len);
  }
  /** Field tables are decoded into fresh objects; byte arrays are copied so they outlive the frame. */
  table(depth = 0): FieldTable {
    const end = this.sized();
    const table: FieldTable = {};
    while (this.pos < end) {
      const key = this.shortstr();
      const value = this.value(depth, end);
      // a key named __proto__ must stay an own key, not become the table's prototype
      if (key === '__proto__') Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
      else table[key] = value;
    }
    if (this.pos !== end) throw frameError('field table overruns its declared length');
    return table;
  }
  timestamp(): number {
    return this.u64();
  }

  /** Reads a 32-bit length and returns where that many bytes end, checked against the frame. */
  private sized(): number {
    const len = this.u32();
    const end = this.pos + len;
    if (end > this.end) throw new TruncatedError();
    return end;
  }

  private array(depth: number): FieldValue[] {
    const end = this.sized();
    const out: FieldValue[] = [];
    while (this.pos < end) out.push(this.value(depth, end));
    if (this.pos !== end) throw frameError('field array overruns its declared length');
    return out;
  }

  private value(depth: number, limit: number): FieldValue {
    // Values must not run past their enclosing table even when the frame has more bytes.
    const saved = this.end;
    this.end = limit;
    try {
      return this.valueUnbounded(depth);
    } finally {
      this.end = saved;
    }
  }

  private valueUnbounded(depth: number): FieldValue {
    const tag = this.u8();
    switch (tag) {
      case 0x74 /* t */:
        return this.u8() !== 0;
      case 0x62 /* b */:
        return new Typed('b', this.i8());
      case 0x42 /* B */:
        return new Typed('B', this.u8());
      case 0x73 /* s */:
        return new Typed('s', this.i16());
      case 0x75 /* u */:
        return new Typed('u', this.u16());
      case 0x49 /* I */:
        return this.i32();
      case 0x69 /* i */:
        return new Typed('i', this.u32());
      case 0x6c /* l */:
      case 0x4c /* L */: // RabbitMQ reads 'L' as a signed 64-bit 'l' too, and writes it back as 'l'
        return new Typed('l', this.i64());
      case 0x66 /* f */:
        return new Typed('f', this.f32());
      case 0x64 /* d */:
        return new Typed('d', this.f64());
      case 0x44 /* D */: {
        const scale = this.u8();
        return new Decimal(scale, this.i32());
      }
      case 0x53 /* S */: {
        const bytes = this.longstr();
        return bytes.toString('utf8');
      }
      case 0x78 /* x */:
        return Buffer.from(this.longstr());
      case 0x54 /* T */:
        return new Date(this.u64() * 1000);
      case 0x56 /* V */:
        return null;
      case 0x46 /* F */:
        if (depth >= MAX_TABLE_DEPTH) throw frameError(`field tables nested deeper than ${MAX_TABLE_DEPTH}`);
        return this.table(depth + 1);
      case 0x41 /* A */:
        if (depth >= MAX_TABLE_DEPTH) throw frameError(`field arrays nested deeper than ${MAX_TABLE_DEPTH}`);
        return this.array(depth + 1);
      default:
        throw frameError(`unknown field value type '${String.fromCharCode(tag)}' (0x${tag.toString(16)})`);
    }
  }
}
