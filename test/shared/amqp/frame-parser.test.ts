import t from 'tap';
import {
  FRAME_BODY,
  FRAME_END,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FrameParser,
  Reader,
  decodeMethodArgs,
} from '../../../shared/amqp/index.js';
import { amqpError, parseChunks, rawFrame, sampleStream, type Frame } from './helpers.js';

const { bytes: STREAM, body: BODY } = sampleStream();
const EXPECTED = parseChunks([STREAM]);

/** Frames as comparable strings: type, channel and payload bytes. */
const show = (frames: Frame[]): string[] => frames.map((f) => `${f.type}/${f.channel}/${f.payload.toString('hex')}`);

t.test('the sample stream parses into the frames that were written', async (t) => {
  t.same(
    EXPECTED.map((f) => [f.type, f.channel]),
    [[FRAME_METHOD, 1], [FRAME_HEADER, 1], [FRAME_BODY, 1], [FRAME_BODY, 1], [FRAME_BODY, 1], [FRAME_HEARTBEAT, 0], [FRAME_METHOD, 2], [FRAME_METHOD, 0]],
  );
  const bodies = EXPECTED.filter((f) => f.type === FRAME_BODY).map((f) => f.payload);
  t.same(bodies.map((b) => b.length), [120, 120, 60], 'body split at frameMax - 8');
  t.ok(Buffer.concat(bodies).equals(BODY), 'body bytes intact');
  t.equal(EXPECTED[5]!.payload.length, 0, 'heartbeat has an empty payload');
  const r = new Reader().reset(EXPECTED[7]!.payload);
  t.match(decodeMethodArgs(r, r.u16(), r.u16()), { name: 'connection.close', replyCode: 200, replyText: 'bye' });
});

t.test('fed one byte at a time', async (t) => {
  const chunks = Array.from(STREAM, (b) => Buffer.from([b]));
  t.same(show(parseChunks(chunks)), show(EXPECTED));
});

t.test('split into two chunks at every offset', async (t) => {
  for (let i = 0; i <= STREAM.length; i++) {
    t.same(show(parseChunks([STREAM.subarray(0, i), STREAM.subarray(i)])), show(EXPECTED), `split at ${i}`);
  }
});

t.test('split into three chunks at a sample of offset pairs', async (t) => {
  let pairs = 0;
  for (let i = 0; i <= STREAM.length; i += 5) {
    for (let j = i; j <= STREAM.length; j += 13) {
      const got = show(parseChunks([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]));
      t.same(got, show(EXPECTED), `split at ${i} and ${j}`);
      pairs++;
    }
  }
  t.ok(pairs > 500, `${pairs} pairs tried`);
});

t.test('frames lying whole in a chunk are passed without copying', async (t) => {
  const seen: Buffer[] = [];
  new FrameParser({ onFrame: (_type, _channel, payload) => seen.push(payload) }, 1 << 20).push(STREAM);
  t.ok(seen.every((p) => p.buffer === STREAM.buffer), 'payloads are views of the chunk');
});

t.test('a payload larger than frameMax is refused from its 7-byte header (RabbitMQ allows frameMax itself)', async (t) => {
  const frameMax = 4096;
  const tooBig = rawFrame(FRAME_BODY, 1, Buffer.alloc(frameMax + 1)); // RabbitMQ lets a frame exceed frame_max by its 8 bytes of framing
  let delivered = 0;
  const sink = { onFrame: (): void => void delivered++ };
  const refused = { ...amqpError(501), replyText: 'FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}' };

  t.throws(() => new FrameParser(sink, frameMax).push(tooBig.subarray(0, 7)), refused, 'header pushed whole');

  const p = new FrameParser(sink, frameMax);
  for (let i = 0; i < 6; i++) p.push(tooBig.subarray(i, i + 1));
  t.throws(() => p.push(tooBig.subarray(6, 7)), amqpError(501), 'header pushed a byte at a time: the 7th byte throws');

  t.throws(() => new FrameParser(sink, frameMax).push(Buffer.concat([rawFrame(FRAME_HEARTBEAT, 0, Buffer.alloc(0)), tooBig.subarray(0, 7)])), amqpError(501), 'header after a whole frame');
  t.equal(delivered, 1, 'only the heartbeat before it was delivered');

  const atLimit = rawFrame(FRAME_BODY, 1, Buffer.alloc(frameMax));
  t.equal(parseChunks([atLimit], frameMax).length, 1, 'a payload of exactly frameMax is accepted');
});

t.test('a bad frame-end octet is a frame error', async (t) => {
  for (const end of [0x00, 0xcd, 0xcf, 0xff]) {
    const bad = rawFrame(FRAME_METHOD, 1, Buffer.from([0, 60, 0, 80]), end);
    const text = `FRAME_ERROR - type 1, all octets = <<0,60,0,80>>: {invalid_frame_end_marker,${end}}`;
    t.throws(() => parseChunks([bad]), { ...amqpError(501), replyText: text }, `end 0x${end.toString(16)}, whole`);
    t.throws(() => parseChunks([bad.subarray(0, 5), bad.subarray(5)]), amqpError(501), `end 0x${end.toString(16)}, split`);
  }
  const emptyBad = rawFrame(FRAME_HEARTBEAT, 0, Buffer.alloc(0), 0);
  t.throws(() => parseChunks([emptyBad]), { ...amqpError(501), replyText: 'FRAME_ERROR - type 8, all octets = <<>>: {invalid_frame_end_marker,0}' }, 'heartbeat with a bad end');
  t.equal(FRAME_END, 0xce);
});

t.test('after a framing error the stream has lost sync: nothing more is parsed', async (t) => {
  const frames: number[] = [];
  const p = new FrameParser({ onFrame: (type) => void frames.push(type) }, 4096);
  t.throws(() => p.push(rawFrame(FRAME_METHOD, 1, Buffer.from([0, 60, 0, 80]), 0)), amqpError(501));
  p.push(rawFrame(FRAME_HEARTBEAT, 0, Buffer.alloc(0)));
  t.same(frames, [], 'a valid frame after it is not delivered');
});

t.test('frames of any type are passed on: the connection judges them', async (t) => {
  const types = [0, 4, 5, 7, 9, 65, 0xce, 0xff];
  t.same(parseChunks(types.map((type) => rawFrame(type, 0, Buffer.from([type])))).map((f) => f.type), types);
  // An AMQP protocol header sent again mid-stream reads as a frame of type 'A' far above frame_max.
  t.throws(() => parseChunks([Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')]), amqpError(501), 'protocol header');
});
