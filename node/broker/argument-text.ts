import { Decimal, Typed, type FieldValue } from '../../shared/amqp/index.js';

/** RabbitMQ's names for field types, as they appear in "inequivalent arg" replies. */
function typeName(v: FieldValue): string {
  if (typeof v === 'string') return 'longstr';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'signedint' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (v === null) return 'void';
  if (Buffer.isBuffer(v)) return 'binary';
  if (v instanceof Date) return 'timestamp';
  if (v instanceof Decimal) return 'decimal';
  if (v instanceof Typed) {
    return { b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', I: 'signedint', i: 'unsignedint', l: 'long', f: 'float', d: 'double' }[v.tag];
  }
  return Array.isArray(v) ? 'array' : 'table';
}

function valueText(v: FieldValue): string {
  if (v instanceof Typed) return String(v.value);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return String(Math.floor(v.getTime() / 1000));
  if (typeof v === 'object' && v !== null && !(v instanceof Decimal)) return JSON.stringify(v);
  return String(v);
}

/** `the value '10' of type 'signedint'`, or `none` for an absent argument. */
export function describeArgument(v: FieldValue | undefined): string {
  return v === undefined ? 'none' : `the value '${valueText(v)}' of type '${typeName(v)}'`;
}
