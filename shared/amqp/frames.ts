import { encodeMethod, FRAME_BODY, FRAME_END, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD, type Method } from './spec.generated.js';
import type { Writer } from './writer.js';

/** Encoders for whole frames into a Writer; the size field is back-patched once the payload is written. */

export function writeMethodFrame(w: Writer, channel: number, m: Method): void {
  w.mark();
  w.ensure(7);
  w.u8(FRAME_METHOD);
  w.u16(channel);
  w.u32(0);
  encodeMethod(w, m);
  const at = w.markPos;
  w.patchU32(at + 3, w.pos - at - 7);
  w.u8(FRAME_END);
}

/**
 * Writes a content header (class 60) with pre-encoded properties (flag word + property list, exactly as
 * received from the publisher), then the body split into frames of at most frameMax bytes. Bodies are
 * appended by reference where large, so a delivery never copies a big payload.
 */
export function writeContent(w: Writer, channel: number, rawProperties: Buffer, body: Buffer, frameMax: number): void {
  w.mark();
  const headerSize = 12 + rawProperties.length;
  w.ensure(8 + headerSize);
  w.u8(FRAME_HEADER);
  w.u16(channel);
  w.u32(headerSize);
  w.u16(60);
  w.u16(0);
  w.u64(body.length);
  w.bytes(rawProperties);
  w.u8(FRAME_END);
  const max = frameMax - 8;
  for (let off = 0; off < body.length; off += max) {
    const end = Math.min(body.length, off + max);
    w.mark();
    w.ensure(7);
    w.u8(FRAME_BODY);
    w.u16(channel);
    w.u32(end - off);
    w.bytesRef(off === 0 && end === body.length ? body : body.subarray(off, end));
    w.u8(FRAME_END);
  }
}

export function writeHeartbeat(w: Writer): void {
  w.mark();
  w.ensure(8);
  w.u8(FRAME_HEARTBEAT);
  w.u16(0);
  w.u32(0);
  w.u8(FRAME_END);
}
