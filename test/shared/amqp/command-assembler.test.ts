import t from 'tap';
import {
  CommandAssembler,
  decodeProperties,
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_METHOD,
  Reader,
  writeContent,
  writeMethodFrame,
  type BasicProperties,
  type Command,
  type Method,
} from '../../../shared/amqp/index.js';
import { amqpError, headerPayload, methodPayload, parseChunks, propertyBytes, publish, written } from './helpers.js';

const MAX_BODY = 1 << 20;
const assembler = (maxBodySize = MAX_BODY): CommandAssembler => new CommandAssembler(new Reader(), maxBodySize);
const ack: Method = { name: 'basic.ack', deliveryTag: 42, multiple: true };
const PROPS: BasicProperties = { contentType: 'application/octet-stream', deliveryMode: 2, messageId: 'm-1' };

/** Feeds frame payloads by type and returns what each call returned. */
function feed(a: CommandAssembler, frames: Array<{ type: number; payload: Buffer }>): Array<Command | null> {
  return frames.map(({ type, payload }) =>
    type === FRAME_METHOD ? a.onMethod(payload) : type === FRAME_HEADER ? a.onHeader(payload) : a.onBody(payload),
  );
}

/** The frames of a publish with `body`, as a client would send them with the given frameMax. */
function publishFrames(body: Buffer, frameMax = 4096, props = PROPS): Array<{ type: number; payload: Buffer }> {
  return parseChunks([
    written((w) => {
      writeMethodFrame(w, 1, publish);
      writeContent(w, 1, propertyBytes(props), body, frameMax);
    }),
  ]);
}

function decodeProps(raw: Buffer | null): BasicProperties {
  const r = new Reader().reset(raw ?? Buffer.alloc(0));
  return decodeProperties(r, r.u16());
}

t.test('a method without content is a command at once', async (t) => {
  const a = assembler();
  const cmd = a.onMethod(methodPayload(ack));
  t.strictSame(cmd, { method: ack, properties: null, body: null });
  t.equal(a.inContent, false);
});

t.test('publish + header + many body frames', async (t) => {
  const body = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 13) & 0xff));
  const frames = publishFrames(body, 1024);
  t.equal(frames.filter((f) => f.type === FRAME_BODY).length, 10, 'ten body frames of at most 1016 bytes');

  const a = assembler();
  const results = feed(a, frames);
  const last = results.pop();
  t.ok(results.every((r) => r === null), 'nothing is returned before the last body frame');
  t.ok(last, 'the last body frame completes the command');
  t.strictSame(last!.method, publish);
  t.ok(last!.body!.equals(body), 'body reassembled in order');
  t.strictSame(decodeProps(last!.properties), PROPS, 'properties kept exactly as received');
  t.equal(a.inContent, false, 'ready for the next command');

  t.strictSame(a.onMethod(methodPayload(ack))?.method, ack, 'a following method is accepted');
});

t.test('inContent tracks the command in progress', async (t) => {
  const a = assembler();
  const [m, h, b] = publishFrames(Buffer.from('hi'));
  a.onMethod(m!.payload);
  t.equal(a.inContent, true, 'after the method');
  a.onHeader(h!.payload);
  t.equal(a.inContent, true, 'after the header');
  t.ok(a.onBody(b!.payload)?.body?.equals(Buffer.from('hi')));
  t.equal(a.inContent, false, 'after the body');
});

t.test('a zero-size body completes at the header', async (t) => {
  const frames = publishFrames(Buffer.alloc(0));
  t.same(frames.map((f) => f.type), [FRAME_METHOD, FRAME_HEADER], 'no body frames are sent');
  const a = assembler();
  const [first, second] = feed(a, frames);
  t.equal(first, null);
  t.equal(second?.body?.length, 0);
  t.strictSame(second?.method, publish);
  t.equal(a.inContent, false);
});

t.test('a body of exactly maxBodySize is accepted', async (t) => {
  const body = Buffer.alloc(5000, 1);
  const results = feed(assembler(body.length), publishFrames(body));
  t.equal(results.at(-1)?.body?.length, body.length);
});

t.test("frames out of order are UNEXPECTED_FRAME, in rabbit_command_assembler's words", async (t) => {
  const noMethod = { ...amqpError(505, { classId: 0, methodId: 0 }), replyText: 'UNEXPECTED_FRAME - expected method frame, got non method frame instead' };
  const header = { ...amqpError(505, { classId: 60, methodId: 40 }), replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead' };
  const body = { ...amqpError(505, { classId: 60, methodId: 40 }), replyText: 'UNEXPECTED_FRAME - expected content body, got non content body frame instead' };
  t.throws(() => assembler().onHeader(headerPayload(3)), noMethod, 'header without method');
  t.throws(() => assembler().onBody(Buffer.from('abc')), noMethod, 'body without header (idle)');

  const afterMethod = assembler();
  afterMethod.onMethod(methodPayload(publish));
  t.throws(() => afterMethod.onBody(Buffer.from('abc')), header, 'body without header (after publish)');

  const expectingHeader = assembler();
  expectingHeader.onMethod(methodPayload(publish));
  t.throws(() => expectingHeader.onMethod(methodPayload(ack)), header, 'method while expecting a header');

  const expectingBody = assembler();
  expectingBody.onMethod(methodPayload(publish));
  expectingBody.onHeader(headerPayload(10));
  expectingBody.onBody(Buffer.alloc(4));
  t.throws(() => expectingBody.onMethod(methodPayload(ack)), body, 'method while expecting a body');
  t.throws(() => expectingBody.onHeader(headerPayload(10)), body, 'header while expecting a body');

  const afterComplete = assembler();
  feed(afterComplete, publishFrames(Buffer.from('x')));
  t.throws(() => afterComplete.onBody(Buffer.from('y')), noMethod, 'body after the command completed');
});

t.test('method arguments must fill the frame exactly: else 501 cannot decode, naming the method', async (t) => {
  const args = methodPayload(ack).subarray(4);
  t.throws(() => assembler().onMethod(Buffer.concat([methodPayload(ack), Buffer.from([9])])), {
    ...amqpError(501, { classId: 60, methodId: 80 }),
    replyText: `FRAME_ERROR - cannot decode <<${[...args, 9].join(',')}>>`,
  }, 'a byte too many');
  t.throws(() => assembler().onMethod(methodPayload(ack).subarray(0, -1)), {
    ...amqpError(501, { classId: 60, methodId: 80 }),
    replyText: `FRAME_ERROR - cannot decode <<${[...args.subarray(0, -1)].join(',')}>>`,
  }, 'a byte too few');
});

t.test('a body longer than declared is a frame error', async (t) => {
  const oneFrame = assembler();
  oneFrame.onMethod(methodPayload(publish));
  oneFrame.onHeader(headerPayload(10));
  t.throws(() => oneFrame.onBody(Buffer.alloc(11)), amqpError(501), 'in one frame');

  const twoFrames = assembler();
  twoFrames.onMethod(methodPayload(publish));
  twoFrames.onHeader(headerPayload(10));
  t.equal(twoFrames.onBody(Buffer.alloc(6)), null);
  t.throws(() => twoFrames.onBody(Buffer.alloc(6)), amqpError(501), 'across frames');
});

t.test('a declared body size above maxBodySize is refused at the header', async (t) => {
  const a = assembler(1000);
  t.equal(a.onMethod(methodPayload(publish)), null);
  t.throws(() => a.onHeader(headerPayload(1001)), amqpError(406, { classId: 60, methodId: 40 }), 'publish: 406 at basic.publish');
  t.equal(a.inContent, false, 'the half-received command is forgotten');
  t.strictSame(a.onMethod(methodPayload(ack))?.method, ack, 'the next method is accepted');

  const huge = assembler(1000);
  huge.onMethod(methodPayload(publish));
  t.throws(() => huge.onHeader(headerPayload(2 ** 53 - 1)), amqpError(406, { classId: 60, methodId: 40 }), 'a 2^53-1 declared size');

  const deliver: Method = { name: 'basic.deliver', consumerTag: 'c', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'k' };
  const d = assembler(10);
  d.onMethod(methodPayload(deliver));
  t.throws(() => d.onHeader(headerPayload(11)), amqpError(406, { classId: 60, methodId: 60 }), 'deliver: attributed to basic.deliver');
});

t.test('malformed content headers', async (t) => {
  const started = (): CommandAssembler => {
    const a = assembler();
    a.onMethod(methodPayload(publish));
    return a;
  };
  const wrongClass = headerPayload(1);
  wrongClass.writeUInt16BE(50, 0);
  t.throws(() => started().onHeader(wrongClass), {
    ...amqpError(505, { classId: 60, methodId: 40 }),
    replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead',
  }, 'content header for another class');
  const weighted = headerPayload(1);
  weighted.writeUInt16BE(1, 2);
  t.throws(() => started().onHeader(weighted), { ...amqpError(505), replyText: /got non content header frame instead$/ }, 'a non-zero weight: not a content header, for RabbitMQ');
  t.throws(() => started().onHeader(headerPayload(1).subarray(0, 12)), amqpError(501), 'no property flags');
  t.throws(() => started().onHeader(headerPayload(1).subarray(0, 7)), amqpError(501), 'truncated body size');
});
