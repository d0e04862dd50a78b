import { Decimal, Typed, type FieldTable, type FieldValue } from '../../shared/amqp/index.js';
import { binaryOrder } from './erlang-hash.js';
import { badRequest } from './http-error.js';

/** A field value as the management API shows it in JSON (RabbitMQ shows plain numbers and strings). */
export function toJson(v: FieldValue): unknown {
  if (v instanceof Typed) return typeof v.value === 'bigint' ? Number(v.value) : v.value;
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (v instanceof Decimal) return v.value / 10 ** v.scale;
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object' && v !== null) return tableToJson(v);
  return v;
}

export function tableToJson(t: FieldTable | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t ?? {})) out[k] = toJson(v);
  return out;
}

/** A long's range. RabbitMQ keeps wider JSON integers, which it then cannot send over AMQP; Warren refuses them. */
const LONG_MIN = -(2 ** 63);
const LONG_MAX = 2 ** 63;

/**
 * A JSON value as RabbitMQ's management API converts it: integers are longs, other numbers doubles,
 * objects tables in key order. Its types matter: they tell bindings apart and are in the properties_key hash.
 */
function fromJson(v: unknown, path: string): FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return v;
    if (v < LONG_MIN || v >= LONG_MAX) throw badRequest(`${path} is an integer too large for a long`);
    return new Typed('l', v);
  }
  if (Array.isArray(v)) return v.map((x, i) => fromJson(x, `${path}[${i}]`));
  if (typeof v === 'object') return jsonToTable(v, path);
  throw badRequest(`${path} has an unsupported value`);
}

/** JSON arguments (API, definitions files) as a field table; 400 naming the key when not an object. */
export function jsonToTable(v: unknown, path = 'arguments'): FieldTable {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${path} must be an object`);
  const out: FieldTable = {};
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o).sort(binaryOrder)) out[k] = fromJson(o[k], `${path}.${k}`);
  return out;
}
