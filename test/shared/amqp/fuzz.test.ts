import fc from 'fast-check';
import t from 'tap';
import {
  AmqpError,
  CommandAssembler,
  decodeProperties,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FrameParser,
  METHODS,
  Reader,
  writeContent,
  writeMethodFrame,
} from '../../../shared/amqp/index.js';
import { propertyBytes, publish, rawFrame, sampleStream, sized, written } from './helpers.js';

const NUM_RUNS = 2000;
const FRAME_MAX = 4096;

/**
 * A FrameParser feeding one CommandAssembler per channel, as a connection wires them; properties of
 * completed commands are decoded too. Pushing stops at the first AmqpError (the connection would close);
 * any other exception escapes and fails the property. Returns how many commands completed.
 */
function survive(chunks: Uint8Array[]): number {
  const reader = new Reader();
  const props = new Reader();
  const assemblers = new Map<number, CommandAssembler>();
  let commands = 0;
  const parser = new FrameParser(
    {
      onFrame(type, channel, payload) {
        if (type === FRAME_HEARTBEAT) return;
        let a = assemblers.get(channel);
        if (!a) assemblers.set(channel, (a = new CommandAssembler(reader, 64 * 1024)));
        const cmd = type === FRAME_METHOD ? a.onMethod(payload) : type === FRAME_HEADER ? a.onHeader(payload) : a.onBody(payload);
        if (!cmd) return;
        commands++;
        if (cmd.properties) decodeProperties(props.reset(cmd.properties), props.u16());
      },
    },
    FRAME_MAX,
  );
  try {
    for (const c of chunks) parser.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  } catch (e) {
    if (!(e instanceof AmqpError)) throw e;
  }
  return commands;
}

/** Runs a property; a counterexample (with fast-check's seed and shrunk input) fails the test. */
function check<T>(t: { pass(m: string): unknown; fail(m: string): unknown }, name: string, arb: fc.Arbitrary<T>, body: (v: T) => void): void {
  try {
    fc.assert(fc.property(arb, body), { numRuns: NUM_RUNS });
    t.pass(`${name}: ${NUM_RUNS} runs`);
  } catch (e) {
    t.fail(`${name}: ${(e as Error).message}`);
  }
}

/** Splits `bytes` into chunks at the given (unsorted, possibly out-of-range) cut points. */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return [...at, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : at[i - 1]!, end));
}

const chunked = (bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array[]> =>
  fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 6 })).map(([b, cuts]) => cut(b, cuts));

t.test('random bytes into FrameParser + CommandAssembler', async (t) => {
  check(t, 'random chunks', fc.array(fc.uint8Array({ maxLength: 128 }), { maxLength: 8 }), (chunks) => void survive(chunks));
});

/** Well-framed frames of any type with payloads that often start like real methods and headers. */
const ids = Object.values(METHODS).map(({ classId, methodId }) => [classId >> 8, classId & 0xff, methodId >> 8, methodId & 0xff]);
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.tuple(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 64 })).map(([id, rest]) => Buffer.concat([Buffer.from(id), rest])),
  fc.tuple(fc.integer({ min: 0, max: 70_000 }), fc.uint8Array({ maxLength: 64 })).map(([size, rest]) =>
    written((w) => {
      w.u16(60);
      w.u16(0);
      w.u64(size);
      w.bytes(Buffer.from(rest));
    }),
  ),
);
const frame = fc
  .record({ type: fc.constantFrom(1, 1, 2, 3, 3, 8, 0, 4), channel: fc.integer({ min: 0, max: 2 }), payload })
  .map(({ type, channel, payload }) => rawFrame(type, channel, Buffer.from(payload)));

t.test('random well-framed frames into FrameParser + CommandAssembler', async (t) => {
  check(t, 'random frames', chunked(fc.array(frame, { maxLength: 12 }).map((fs) => Buffer.concat(fs))), (chunks) => void survive(chunks));
});

/** Valid traffic with tables in method arguments and message headers, for mutation. */
const VALID = Buffer.concat([
  sampleStream().bytes,
  written((w) => {
    writeMethodFrame(w, 3, {
      name: 'basic.consume', ticket: 0, queue: 'q', consumerTag: 'ctag', noLocal: false, noAck: true, exclusive: false,
      nowait: false, arguments: { 'x-priority': 5, deep: { list: [1, 'two', { three: [null, true] }], d: new Date(0) } },
    });
    writeMethodFrame(w, 4, publish);
    const headers = { 'x-death': [{ count: 1, queue: 'q', time: new Date(1_700_000_000_000) }], retries: 3n };
    writeContent(w, 4, propertyBytes({ contentType: 'application/json', headers, priority: 1 }), Buffer.from('{"a":1}'), 64);
  }),
]);

t.test('mutated valid streams into FrameParser + CommandAssembler', async (t) => {
  t.equal(survive([VALID]), 5, 'the unmutated stream yields its five commands');
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), byte: fc.constant(0) }),
    fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), byte: fc.integer({ min: 1, max: 16 }) }),
  );
  let completed = 0;
  const mutated = fc.array(mutation, { minLength: 1, maxLength: 6 }).map((ms) => {
    let b = Buffer.from(VALID);
    for (const { kind, at, byte } of ms) {
      const i = at % b.length;
      if (kind === 'set') b[i] = byte;
      else if (kind === 'cut') b = b.subarray(0, i);
      else b = Buffer.concat([b.subarray(0, i + byte), b.subarray(i)]);
      if (b.length === 0) b = Buffer.from([0]);
    }
    return b;
  });
  check(t, 'mutated streams', chunked(mutated), (chunks) => void (completed += survive(chunks)));
  t.ok(completed > NUM_RUNS / 4, `mutated streams still reach the assembler (${completed} commands)`);
});

const TAGS = [...'tbBsuIilLfdDSxTVFA'].map((c) => c.charCodeAt(0));

t.test('random bytes into Reader.table()', async (t) => {
  const decode = (bytes: Uint8Array): void => {
    try {
      new Reader().reset(Buffer.from(bytes)).table();
    } catch (e) {
      if (!(e instanceof AmqpError)) throw e;
    }
  };
  check(t, 'raw bytes', fc.uint8Array({ maxLength: 256 }), decode);
  // Correctly sized tables whose contents lean on real type tags and small lengths, to get past the prefix.
  const byte = fc.oneof(fc.constantFrom(...TAGS), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 255 }));
  check(t, 'sized tables', fc.array(byte, { maxLength: 256 }).map((b) => sized([b])), decode);
});
