import { inspect } from 'node:util';
import t from 'tap';
import {
  decodeMethodArgs,
  Decimal,
  fieldTypeName,
  MAX_TABLE_DEPTH,
  Reader,
  Typed,
  writeMethodFrame,
  type FieldTable,
  type FieldValue,
} from '../../../shared/amqp/index.js';
import { amqpError, decodeTable, encodeTable, parseChunks, sized, written } from './helpers.js';

/** [wire tag, value written, value decoded when it differs from the one written]. */
const CASES: Array<[string, FieldValue, FieldValue?]> = [
  ['t', true],
  ['t', false],
  ['b', new Typed('b', -128)],
  ['b', new Typed('b', 127)],
  ['B', new Typed('B', 255)],
  ['s', new Typed('s', -32768)],
  ['s', new Typed('s', 32767)],
  ['u', new Typed('u', 65535)],
  ['I', -2147483648],
  ['I', 2147483647],
  ['I', new Typed('I', 7), 7],
  ['i', new Typed('i', 4294967295)],
  // 'l' decodes as Typed so it re-encodes as 'l'; the value is a number where exact, else a bigint
  ['l', 2 ** 53 - 1, new Typed('l', 2 ** 53 - 1)],
  ['l', -(2 ** 40), new Typed('l', -(2 ** 40))],
  ['l', 2n ** 63n - 1n, new Typed('l', 2n ** 63n - 1n)],
  ['l', -(2n ** 63n), new Typed('l', -(2n ** 63n))],
  ['l', new Typed('l', 2n ** 62n)],
  ['f', new Typed('f', -1.5)],
  ['d', new Typed('d', Math.PI)],
  ['d', 0.25, new Typed('d', 0.25)],
  ['D', new Decimal(2, -12345)],
  ['S', 'héllo ✓ 🐇'],
  ['S', ''],
  ['x', Buffer.from([0, 1, 0x7f, 0x80, 0xff])],
  ['x', Buffer.alloc(0)],
  ['T', new Date(1_700_000_000_000)],
  ['T', new Date(1_700_000_000_999), new Date(1_700_000_000_000)],
  ['V', null],
  ['F', { a: 1, b: { c: 'd' } }],
  ['F', {}],
  ['A', [1, 'two', [true, null], { k: new Typed('B', 3) }]],
  ['A', []],
];

const show = (v: FieldValue): string => inspect(v, { breakLength: Infinity, maxArrayLength: 8 });

/** One table holding every case, keyed by tag and index: as written, and as it must decode. */
function allTypes(): { written: FieldTable; decoded: FieldTable } {
  const tables = { written: {} as FieldTable, decoded: {} as FieldTable };
  CASES.forEach(([tag, value, decoded], i) => {
    tables.written[`${tag}${i}`] = value;
    tables.decoded[`${tag}${i}`] = decoded === undefined ? value : decoded;
  });
  return tables;
}

t.test('every field value type round-trips with its wire tag', async (t) => {
  for (const [tag, value, decoded] of CASES) {
    const bytes = encodeTable({ v: value });
    // [u32 size][u8 1]['v'][tag]...
    t.equal(String.fromCharCode(bytes[6]!), tag, `${tag}: written with tag '${tag}'`);
    t.strictSame(decodeTable(bytes), { v: decoded === undefined ? value : decoded }, `${tag}: ${show(value)}`);
  }
});

t.test('a table holding every type at once round-trips', async (t) => {
  const { written: table, decoded } = allTypes();
  t.strictSame(decodeTable(encodeTable(table)), decoded);
});

t.test('nested tables and arrays', async (t) => {
  const table: FieldTable = {
    outer: { list: [{ deep: [[new Decimal(0, 1)], { x: Buffer.from('bytes') }] }, [], {}], empty: {} },
    arr: [[[[['five levels']]]]],
    'key with spaces and ünïcode': 'ok',
  };
  t.strictSame(decodeTable(encodeTable(table)), table);
});

/** A table wrapping `levels` nested containers: tables, arrays, or alternating. */
function nested(levels: number, kind: 'F' | 'A' | 'mixed'): FieldTable {
  let v: FieldValue = kind === 'A' ? [] : {};
  for (let i = levels - 1; i > 0; i--) {
    const asArray = kind === 'A' || (kind === 'mixed' && i % 2 === 0);
    v = asArray ? [v] : { n: v };
  }
  return { n: v };
}

t.test(`nesting is limited to MAX_TABLE_DEPTH (${MAX_TABLE_DEPTH})`, async (t) => {
  for (const kind of ['F', 'A', 'mixed'] as const) {
    const ok = nested(MAX_TABLE_DEPTH, kind);
    t.strictSame(decodeTable(encodeTable(ok)), ok, `${kind}: ${MAX_TABLE_DEPTH} levels decode`);
    const tooDeep = encodeTable(nested(MAX_TABLE_DEPTH + 1, kind));
    t.throws(() => decodeTable(tooDeep), amqpError(501), `${kind}: ${MAX_TABLE_DEPTH + 1} levels are a frame error`);
  }
});

t.test('malformed tables are frame errors', async (t) => {
  const key = [1, 0x6b]; // shortstr 'k'
  const cases: Array<[string, Buffer]> = [
    ['unknown type tag Z', sized([key, 'Z'])],
    ['unknown type tag NUL', sized([key, [0]])],
    ['unknown type tag in a nested array', sized([key, 'A', sized(['I', [0, 0, 0, 1], 'c'])])],
    ['declared length overruns the frame', sized([key, 'V'], 4)],
    ['declared length of an empty table overruns the frame', sized([], 1)],
    ['truncated length prefix', Buffer.from([0, 0, 0])],
    ['truncated value at the end of the frame', sized([key, 'I', [0, 0]])],
  ];
  // Values must stay inside their table even when the frame has more bytes after it.
  const trailing = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  cases.push(
    ['integer overruns its table', Buffer.concat([sized([key, 'I', [0, 0, 0, 1]], 5), Buffer.from(trailing)])],
    ['long string overruns its table', Buffer.concat([sized([key, 'S', [0, 0, 0, 4], 'abcd'], 9), Buffer.from(trailing)])],
    ['key overruns its table', Buffer.concat([sized([[5], 'abcde', 'V'], 3), Buffer.from(trailing)])],
    ['nested table overruns its enclosing table', Buffer.concat([sized([key, 'F', sized([key, 'V'], 6)]), Buffer.from(trailing)])],
    ['nested array overruns its enclosing table', Buffer.concat([sized([key, 'A', sized(['V'], 4)]), Buffer.from(trailing)])],
  );
  for (const [name, bytes] of cases) {
    t.throws(() => new Reader().reset(bytes).table(), amqpError(501), name);
  }
});

t.test('a value ending exactly at its table end is accepted, and the reader stops there', async (t) => {
  const bytes = Buffer.concat([sized([[1, 0x6b], 'I', [0, 0, 0, 9]]), Buffer.from([0xff])]);
  const r = new Reader().reset(bytes);
  t.strictSame(r.table(), { k: 9 });
  t.equal(r.remaining, 1);
});

t.test('a table larger than a writer chunk keeps its size fields when the frame moves', async (t) => {
  const big: FieldTable = { blob: Buffer.alloc(70_000, 7), nested: { s: 'x'.repeat(1000), list: [1, 2, 3] }, tail: true };
  let start = 0;
  const bytes = written((w) => {
    writeMethodFrame(w, 1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 10, global: false });
    w.bytes(Buffer.alloc(60_000)); // fill most of the first 64 KiB chunk
    start = w.length;
    writeMethodFrame(w, 1, {
      name: 'exchange.declare', ticket: 0, exchange: 'x', type: 'topic', passive: false, durable: true,
      autoDelete: false, internal: false, nowait: false, arguments: big,
    });
  });
  const [frame] = parseChunks([bytes.subarray(start)]);
  const r = new Reader().reset(frame!.payload);
  const m = decodeMethodArgs(r, r.u16(), r.u16());
  t.strictSame(m.name === 'exchange.declare' ? m.arguments : m, big, 'arguments intact');
  t.equal(r.remaining, 0);
});

t.test('decoded tables re-encode to the original bytes', async (t) => {
  const bytes = encodeTable(allTypes().written);
  t.equal(encodeTable(decodeTable(bytes)).toString('hex'), bytes.toString('hex'));
});

t.test('a small signed 64-bit value keeps its \'l\' tag through decode and re-encode', async (t) => {
  const bytes = encodeTable({ v: new Typed('l', 5) });
  t.equal(encodeTable(decodeTable(bytes)).toString('hex'), bytes.toString('hex'));
});

t.test("'L' (unsigned 64-bit) reads as RabbitMQ reads it: a signed 'l', written back as 'l'", async (t) => {
  const tagged = (tag: string): Buffer => sized([[1], 'v', tag, [0, 0, 0, 0, 0, 0, 0, 9], [1], 'w', tag, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]]);
  const table = decodeTable(tagged('L'));
  t.strictSame(table, { v: new Typed('l', 9), w: new Typed('l', -2) });
  t.same(encodeTable(table), tagged('l'), "re-encoded with 'l'");
  t.equal(fieldTypeName(table['v']!), 'long', "named 'long', as RabbitMQ names it");
});

t.test('fieldTypeName: RabbitMQ\'s name for each wire type', async (t) => {
  const names: Record<string, string> = {
    t: 'bool', b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', I: 'signedint', i: 'unsignedint', l: 'long',
    f: 'float', d: 'double', D: 'decimal', S: 'longstr', x: 'binary', T: 'timestamp', V: 'void', F: 'table', A: 'array',
  };
  for (const [tag, value] of CASES) t.equal(fieldTypeName(value), names[tag], `${tag}: ${show(value)}`);
});

t.test('a "__proto__" key is kept as data, not turned into the prototype', async (t) => {
  const bytes = sized([[9], '__proto__', 'F', sized([[7], 'x-match', 'S', [0, 0, 0, 3], 'any'])]);
  const table = decodeTable(bytes);
  t.same(Object.keys(table), ['__proto__']);
  t.equal(Object.getPrototypeOf(table), Object.prototype);
  t.equal(table['x-match'], undefined, 'no inherited x-match');
});
