/** Small builders shared by the codec tests: encode values to bytes, hand-craft frames, collect parsed frames. */
import {
  encodeMethod,
  encodeProperties,
  FRAME_END,
  FrameParser,
  Reader,
  Writer,
  writeContent,
  writeHeartbeat,
  writeMethodFrame,
  type BasicProperties,
  type FieldTable,
  type Method,
} from '../../../shared/amqp/index.js';

/** A `t.throws` pattern matching an AmqpError with the given reply code (and ids, when given). */
export function amqpError(replyCode: number, ids: { classId?: number; methodId?: number } = {}): { name: string; replyCode: number } {
  return { name: 'AmqpError', replyCode, ...ids };
}

/** The bytes produced by `write` on a fresh Writer. */
export function written(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  write(w);
  return w.toBuffer();
}

export const encodeTable = (table: FieldTable): Buffer => written((w) => w.table(table));

/** Decodes a table that must use every byte of `buf`. */
export function decodeTable(buf: Buffer): FieldTable {
  const r = new Reader().reset(buf);
  const table = r.table();
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the table`);
  return table;
}

/** A u32 length prefix (the real length unless `declared` overrides it) followed by `parts`. */
export function sized(parts: Array<Buffer | number[] | string>, declared?: number): Buffer {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(declared ?? body.length);
  return Buffer.concat([len, body]);
}

/** A frame built by hand, so tests can give it a wrong type, size or end octet. */
export function rawFrame(type: number, channel: number, payload: Buffer, end = FRAME_END, size = payload.length): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(size, 3);
  return Buffer.concat([head, payload, Buffer.from([end])]);
}

export const methodPayload = (m: Method): Buffer => written((w) => encodeMethod(w, m));
export const propertyBytes = (p: BasicProperties): Buffer => written((w) => encodeProperties(w, p));

/** The payload of a content header frame (class 60, weight 0). */
export function headerPayload(bodySize: number, props: BasicProperties = {}): Buffer {
  return written((w) => {
    w.u16(60);
    w.u16(0);
    w.u64(bodySize);
    encodeProperties(w, props);
  });
}

export interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
}

/** Feeds `chunks` to a FrameParser in order and returns the frames it emitted (payloads copied). */
export function parseChunks(chunks: Buffer[], frameMax = 1 << 20): Frame[] {
  const frames: Frame[] = [];
  const parser = new FrameParser({ onFrame: (type, channel, payload) => frames.push({ type, channel, payload: Buffer.from(payload) }) }, frameMax);
  for (const c of chunks) parser.push(c);
  if (parser.pending) throw new Error('parser still holds part of a frame');
  return frames;
}

export const publish: Method = { name: 'basic.publish', ticket: 0, exchange: 'amq.direct', routingKey: 'rk', mandatory: true, immediate: false };

/**
 * A realistic stream: publish + header + 3 body frames on channel 1, a heartbeat, a method with a table on
 * channel 2 and a close on channel 0. Returns the bytes and the body that was published.
 */
export function sampleStream(): { bytes: Buffer; body: Buffer } {
  const body = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
  const props: BasicProperties = { contentType: 'text/plain', deliveryMode: 2 };
  const bytes = written((w) => {
    writeMethodFrame(w, 1, publish);
    writeContent(w, 1, propertyBytes(props), body, 128);
    writeHeartbeat(w);
    writeMethodFrame(w, 2, {
      name: 'queue.declare', ticket: 0, queue: 'q', passive: false, durable: true, exclusive: false,
      autoDelete: true, nowait: false, arguments: { 'x-message-ttl': 1000, 'x-queue-type': 'classic' },
    });
    writeMethodFrame(w, 0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
  });
  return { bytes, body };
}
