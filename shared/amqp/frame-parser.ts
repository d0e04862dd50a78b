import { badFrameEnd, frameTooLarge } from './frame-errors.js';
import { FRAME_END } from './spec.generated.js';

export interface FrameSink {
  /** `payload` is valid only during the call unless the sink keeps a reference it knows is safe. */
  onFrame(type: number, channel: number, payload: Buffer): void;
}

const HEADER = 7;

/**
 * Splits a byte stream into frames of any type (the sink judges them). Frames that lie whole inside a
 * socket chunk are passed as subarrays of it (no copy); only a frame split across reads is assembled, into
 * a buffer allocated once its size is known. The size is checked against frame_max from the 7-byte header,
 * before any payload is buffered, so a peer cannot make us hold more than one frame_max per connection.
 * After a size or end-octet error the stream has lost sync: nothing more is parsed.
 */
export class FrameParser {
  /** The negotiated frame_max. As RabbitMQ does, a payload of up to frame_max bytes is accepted (8 over). */
  frameMax: number;
  private lostSync = false;
  private head = Buffer.alloc(HEADER);
  private headLen = 0;
  private partial: Buffer | null = null;
  private partialLen = 0;

  constructor(
    private readonly sink: FrameSink,
    frameMax: number,
  ) {
    this.frameMax = frameMax;
  }

  /** True while part of a frame is held (for tests and diagnostics). */
  get pending(): boolean {
    return this.headLen > 0 || this.partial !== null;
  }

  push(chunk: Buffer): void {
    if (this.lostSync) return;
    let off = 0;
    const len = chunk.length;
    if (this.headLen > 0 || this.partial) off = this.continuePartial(chunk);
    while (off < len) {
      if (len - off < HEADER) {
        chunk.copy(this.head, 0, off, len);
        this.headLen = len - off;
        return;
      }
      const size = this.checkHeader(chunk, off);
      const total = HEADER + size + 1;
      if (len - off >= total) {
        this.emit(chunk, off, size);
        off += total;
      } else {
        this.partial = Buffer.allocUnsafe(total);
        chunk.copy(this.partial, 0, off, len);
        this.partialLen = len - off;
        return;
      }
    }
  }

  private continuePartial(chunk: Buffer): number {
    let off = 0;
    if (!this.partial) {
      const take = Math.min(HEADER - this.headLen, chunk.length);
      chunk.copy(this.head, this.headLen, 0, take);
      this.headLen += take;
      off = take;
      if (this.headLen < HEADER) return off;
      const size = this.checkHeader(this.head, 0);
      this.partial = Buffer.allocUnsafe(HEADER + size + 1);
      this.head.copy(this.partial, 0, 0, HEADER);
      this.partialLen = HEADER;
      this.headLen = 0;
    }
    const frame = this.partial;
    const take = Math.min(frame.length - this.partialLen, chunk.length - off);
    chunk.copy(frame, this.partialLen, off, off + take);
    this.partialLen += take;
    off += take;
    if (this.partialLen === frame.length) {
      this.partial = null;
      this.partialLen = 0;
      this.emit(frame, 0, frame.length - HEADER - 1);
    }
    return off;
  }

  private checkHeader(buf: Buffer, off: number): number {
    const size = buf.readUInt32BE(off + 3);
    if (size > this.frameMax) {
      this.lostSync = true;
      throw frameTooLarge(buf[off]!, size, this.frameMax);
    }
    return size;
  }

  private emit(buf: Buffer, off: number, size: number): void {
    const end = off + HEADER + size;
    const payload = buf.subarray(off + HEADER, end);
    if (buf[end] !== FRAME_END) {
      this.lostSync = true;
      throw badFrameEnd(buf[off]!, payload, buf[end]!);
    }
    this.sink.onFrame(buf[off]!, buf.readUInt16BE(off + 1), payload);
  }
}
