import t from 'tap';
import {
  CommandAssembler,
  decodeMethodArgs,
  decodeProperties,
  METHOD_NAMES,
  METHODS,
  propertyFlags,
  Reader,
  type BasicProperties,
  type FieldTable,
  type Method,
  type MethodName,
} from '../../../shared/amqp/index.js';
import { amqpError, methodPayload, propertyBytes, written } from './helpers.js';

type Fields = Record<string, unknown>;
const NAMES = Object.keys(METHODS) as MethodName[];
const TABLE: FieldTable = { 'x-match': 'all', n: 1, nested: { flag: true, list: [1, 'a', null] } };

/** Decodes a whole method payload (ids included); every byte must be consumed. */
function decodePayload(payload: Buffer): Method {
  const r = new Reader().reset(payload);
  const m = decodeMethodArgs(r, r.u16(), r.u16());
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after ${m.name}`);
  return m;
}
const roundTrip = (fields: Fields): Fields => decodePayload(methodPayload(fields as unknown as Method)) as unknown as Fields;

/** The method with every argument at its zero value: decoding zero bytes reveals each argument's JS type. */
function zeroed(name: MethodName): Fields {
  const { classId, methodId } = METHODS[name];
  return { ...decodeMethodArgs(new Reader().reset(Buffer.alloc(64)), classId, methodId) };
}

/** Largest unsigned value a numeric argument carries (octet, short, long or longlong up to 2^53-1). */
const WIDTHS = [2 ** 53 - 1, 2 ** 32 - 1, 2 ** 16 - 1, 2 ** 8 - 1];
function limitOf(base: Fields, field: string): number {
  const fits = (max: number): boolean => {
    try {
      return roundTrip({ ...base, [field]: max })[field] === max;
    } catch {
      return false;
    }
  };
  const max = WIDTHS.find(fits);
  if (max === undefined) throw new Error(`no width fits ${String(base.name)}.${field}`);
  return max;
}

const LONG_SHORTSTR = 'é'.repeat(127) + 'x'; // exactly 255 bytes of UTF-8
const BYTES = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff));

/**
 * Samples of one method: variant 0 is all zeros/empty/false; 1 uses the limits and bits alternating from
 * true; 2 uses mid values, Unicode and bits alternating from false. Every bit is seen set and clear next to
 * clear and set neighbours, so a misplaced bit cannot go unnoticed.
 */
function samples(name: MethodName): Fields[] {
  const zero = zeroed(name);
  return [0, 1, 2].map((variant) => {
    const s: Fields = { ...zero };
    let bit = 0;
    for (const [field, z] of Object.entries(zero)) {
      if (field === 'name' || variant === 0) continue;
      if (typeof z === 'number') {
        const max = limitOf(zero, field);
        s[field] = variant === 1 ? max : Math.floor(max / 3);
      } else if (typeof z === 'string') {
        s[field] = variant === 1 ? LONG_SHORTSTR : `${field} ✓ 🐇`;
      } else if (typeof z === 'boolean') {
        s[field] = bit++ % 2 === variant - 1;
      } else if (Buffer.isBuffer(z)) {
        s[field] = variant === 1 ? BYTES.subarray(0, 256) : BYTES;
      } else {
        s[field] = TABLE;
      }
    }
    return s;
  });
}

t.test('every method round-trips through encodeMethod / decodeMethodArgs', async (t) => {
  t.equal(NAMES.length, 66, 'the spec defines 66 methods');
  for (const name of NAMES) {
    const { classId, methodId } = METHODS[name];
    samples(name).forEach((sample, variant) => {
      const payload = methodPayload(sample as unknown as Method);
      t.equal(payload.readUInt16BE(0), classId, `${name}: class id`);
      t.equal(payload.readUInt16BE(2), methodId, `${name}: method id`);
      t.strictSame(decodePayload(payload), sample, `${name} #${variant}`);
    });
  }
});

t.test('probed argument widths match the spec domains', async (t) => {
  const cases: Array<[MethodName, string, number]> = [
    ['connection.start', 'versionMajor', 255],
    ['connection.tune', 'channelMax', 65535],
    ['connection.tune', 'frameMax', 2 ** 32 - 1],
    ['basic.qos', 'prefetchSize', 2 ** 32 - 1],
    ['basic.qos', 'prefetchCount', 65535],
    ['basic.deliver', 'deliveryTag', 2 ** 53 - 1],
    ['queue.declare-ok', 'messageCount', 2 ** 32 - 1],
    ['channel.close', 'replyCode', 65535],
  ];
  for (const [name, field, max] of cases) t.equal(limitOf(zeroed(name), field), max, `${name}.${field}`);
});

t.test('golden bytes', async (t) => {
  const tune: Method = { name: 'connection.tune', channelMax: 2047, frameMax: 131072, heartbeat: 60 };
  t.equal(methodPayload(tune).toString('hex'), '000a001e' + '07ff' + '00020000' + '003c');
  const deliver: Method = { name: 'basic.deliver', consumerTag: 'c', deliveryTag: 2 ** 40 + 1, redelivered: true, exchange: '', routingKey: 'k' };
  t.equal(methodPayload(deliver).toString('hex'), '003c003c' + '0163' + '0000010000000001' + '01' + '00' + '016b');
  const del: Method = { name: 'queue.delete', ticket: 0, queue: 'q', ifUnused: false, ifEmpty: true, nowait: true };
  t.equal(methodPayload(del).toString('hex'), '00320028' + '0000' + '0171' + '06');
});

t.test('METHODS and METHOD_NAMES agree', async (t) => {
  t.equal(METHOD_NAMES.size, NAMES.length);
  for (const name of NAMES) {
    const { classId, methodId } = METHODS[name];
    t.equal(METHOD_NAMES.get(classId * 65536 + methodId), name, name);
  }
});

const ALL_PROPERTIES: Required<{ [K in keyof BasicProperties]: NonNullable<BasicProperties[K]> }> = {
  contentType: 'application/json',
  contentEncoding: 'gzip',
  headers: { 'x-death': [{ count: 1, reason: 'expired' }], retries: 3 },
  deliveryMode: 2,
  priority: 255,
  correlationId: 'corr-✓',
  replyTo: 'amq.rabbitmq.reply-to',
  expiration: '60000',
  messageId: LONG_SHORTSTR,
  timestamp: 1_700_000_000,
  type: 'order.created',
  userId: 'guest',
  appId: 'warren-test',
  clusterId: '',
};

function decodeProps(bytes: Buffer): BasicProperties {
  const r = new Reader().reset(bytes);
  const p = decodeProperties(r, r.u16());
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the properties`);
  return p;
}

t.test('basic properties', async (t) => {
  const all = propertyBytes(ALL_PROPERTIES);
  t.equal(all.readUInt16BE(0), 0xfffc, 'all 14 flags set');
  t.strictSame(decodeProps(all), ALL_PROPERTIES, 'all 14 round-trip');

  const none = propertyBytes({});
  t.equal(none.toString('hex'), '0000', 'no properties: just a zero flag word');
  t.strictSame(decodeProps(none), {}, 'none round-trip');

  Object.entries(ALL_PROPERTIES).forEach(([key, value], i) => {
    const one: BasicProperties = { [key]: value };
    t.equal(propertyFlags(one), 0x8000 >> i, `${key}: flag bit in spec order`);
    t.strictSame(decodeProps(propertyBytes(one)), one, `${key} alone`);
  });
});

t.test('unknown class or method ids are NOT_IMPLEMENTED', async (t) => {
  const ids: Array<[number, number]> = [[10, 99], [99, 10], [0, 0], [60, 41], [40, 41], [65535, 65535]];
  for (const [classId, methodId] of ids) {
    const payload = written((w) => {
      w.u16(classId);
      w.u16(methodId);
      w.u32(0);
    });
    t.throws(() => decodePayload(payload), amqpError(540, { classId, methodId }), `${classId}.${methodId}`);
    t.throws(() => new CommandAssembler(new Reader(), 1024).onMethod(payload), amqpError(540, { classId, methodId }), `${classId}.${methodId} via the assembler`);
  }
});

t.test('truncated method arguments are frame errors', async (t) => {
  for (const name of NAMES) {
    const payload = methodPayload(samples(name)[1] as unknown as Method);
    if (payload.length === 4) continue; // no arguments to truncate
    t.throws(() => decodePayload(payload.subarray(0, payload.length - 1)), amqpError(501), name);
  }
});
