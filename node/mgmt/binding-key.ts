import { Decimal, Typed, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import { typeName } from '../broker/argument-text.js';
import { binaryOrder, phash2, type Term } from './erlang-hash.js';

/**
 * RabbitMQ's properties_key of a binding, which names it in /api/bindings/.../{props}: the routing key
 * URL-quoted ('~' for an empty key without arguments), then with arguments '~' and a hash of them:
 * base64url of erlang:phash2 of the arguments as RabbitMQ holds them: each {Key, Type, Value}, sorted
 * by key at the top level only (nested tables stay in the order they came in, as RabbitMQ keeps them).
 */
export function propertiesKey(routingKey: string, args: FieldTable): string {
  if (Object.keys(args).length === 0) return routingKey === '' ? '~' : quotePlus(routingKey);
  const hash = Buffer.alloc(4);
  const keys = Object.keys(args).sort(binaryOrder);
  hash.writeUInt32BE(phash2(tableTerm(args, keys)));
  return `${quotePlus(routingKey)}~${hash.toString('base64url')}`;
}

/** RabbitMQ's quote_plus over UTF-8 bytes: letters, digits and '.-_' stay, space is '+', the rest (even '~', the separator) %XX. */
export function quotePlus(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9._-]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const bin = (s: string): Term => ({ bin: Buffer.from(s, 'utf8') });
const atom = (name: string): Term => ({ atom: name });

/** A table as RabbitMQ's Erlang list of {Key, Type, Value}, in the order of `keys`. */
function tableTerm(t: FieldTable, keys = Object.keys(t)): Term {
  return { list: keys.map((k) => ({ tuple: [bin(k), ...typedValue(t[k]!)] })) };
}

/** [Type, Value] as RabbitMQ's AMQP decoder gives them for what Warren holds. */
function typedValue(v: FieldValue): [Term, Term] {
  // plain numbers go on the wire as signedint (32-bit), long or double: see the codec's Writer
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return [atom('double'), { float: v }];
    return [atom(v >= -0x8000_0000 && v <= 0x7fff_ffff ? 'signedint' : 'long'), { int: BigInt(v) }];
  }
  const type = atom(typeName(v));
  if (typeof v === 'string') return [type, bin(v)];
  if (typeof v === 'boolean') return [type, atom(String(v))];
  if (typeof v === 'bigint') return [type, { int: v }];
  if (v === null) return [type, atom('undefined')];
  if (Buffer.isBuffer(v)) return [type, { bin: v }];
  if (v instanceof Date) return [type, { int: BigInt(Math.floor(v.getTime() / 1000)) }];
  // RabbitMQ reads a decimal's digits as unsigned
  if (v instanceof Decimal) return [type, { tuple: [{ int: BigInt(v.scale) }, { int: BigInt(v.value >>> 0) }] }];
  if (v instanceof Typed) return [type, v.tag === 'f' || v.tag === 'd' ? { float: Number(v.value) } : { int: BigInt(v.value) }];
  if (Array.isArray(v)) return [type, { list: v.map((e) => ({ tuple: typedValue(e) })) }];
  return [type, tableTerm(v)];
}
