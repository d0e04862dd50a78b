import { FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from '../../shared/amqp/index.js';

/** Receives frames as a range of a buffer: the payload is buf[start, end), valid only during the call. */
export type FrameHandler = (type: number, channel: number, buf: Buffer, start: number, end: number) => void;

const HEADER = 7;

/**
 * The client's frame splitter. Like shared/amqp's FrameParser (sizes checked against frame_max before
 * buffering, only split frames copied), but frames whole inside a socket chunk are passed as offsets into
 * the chunk instead of subarrays: creating a Buffer view costs a few hundred ns on Node 20, which for a
 * three-frame delivery was most of the consumer's time per message (measured 400 vs 100 ns per frame).
 */
export class FrameScanner {
  frameMax: number;
  private pending: Buffer | null = null;
  private pendingLen = 0;

  constructor(
    private readonly handler: FrameHandler,
    frameMax: number,
  ) {
    this.frameMax = frameMax;
  }

  /** Parses chunk[0, len); nothing of it is referenced after the call returns. */
  push(chunk: Buffer, len = chunk.length): void {
    let off = this.pending ? this.completePending(chunk, len) : 0;
    while (off < len) {
      if (len - off < HEADER) return this.hold(chunk, off, len, HEADER);
      const total = HEADER + this.sizeAt(chunk, off) + 1;
      if (len - off < total) return this.hold(chunk, off, len, total);
      this.emit(chunk, off, total);
      off += total;
    }
  }

  /** Keeps the tail of a chunk: `need` bytes are known to be needed (a header, or a whole frame). */
  private hold(chunk: Buffer, off: number, len: number, need: number): void {
    this.pending = Buffer.allocUnsafe(need);
    this.pendingLen = chunk.copy(this.pending, 0, off, len);
  }

  private completePending(chunk: Buffer, len: number): number {
    let off = 0;
    let frame = this.pending!;
    if (frame.length === HEADER) {
      // only a header was held: learn the size, then hold the whole frame
      const take = Math.min(HEADER - this.pendingLen, len);
      if (take > 0) this.pendingLen += chunk.copy(frame, this.pendingLen, 0, take);
      off = take;
      if (this.pendingLen < HEADER) return off;
      const whole = Buffer.allocUnsafe(HEADER + this.sizeAt(frame, 0) + 1);
      frame.copy(whole, 0, 0, HEADER);
      this.pending = frame = whole;
    }
    const take = Math.min(frame.length - this.pendingLen, len - off);
    this.pendingLen += chunk.copy(frame, this.pendingLen, off, off + take);
    off += take;
    if (this.pendingLen === frame.length) {
      this.pending = null;
      this.pendingLen = 0;
      this.emit(frame, 0, frame.length);
    }
    return off;
  }

  private sizeAt(buf: Buffer, off: number): number {
    const type = buf[off]!;
    if (type !== FRAME_METHOD && type !== FRAME_HEADER && type !== FRAME_BODY && type !== FRAME_HEARTBEAT) {
      throw new Error(`unknown frame type ${type}`);
    }
    const size = buf.readUInt32BE(off + 3);
    if (size + HEADER + 1 > this.frameMax) throw new Error(`frame of ${size + HEADER + 1} bytes exceeds frame_max ${this.frameMax}`);
    return size;
  }

  private emit(buf: Buffer, off: number, total: number): void {
    const end = off + total - 1;
    if (buf[end] !== FRAME_END) throw new Error(`bad frame end octet 0x${buf[end]!.toString(16)}`);
    this.handler(buf[off]!, buf.readUInt16BE(off + 1), buf, off + HEADER, end);
  }
}
