import { Decimal, Typed, type FieldValue } from '../../shared/amqp/index.js';

/** RabbitMQ's names for field types, as they appear in its replies ("got longstr", "of type 'byte'"). */
export function typeName(v: FieldValue): string {
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

/**
 * The "received ... but current is ..." part of an inequivalent-argument reply, worded as RabbitMQ words
 * it: plain values when both sides are set, typed values when one side is absent.
 */
export function describeMismatch(received: FieldValue | undefined, current: FieldValue | undefined): [string, string] {
  if (received !== undefined && current !== undefined) return [`'${valueText(received)}'`, `'${valueText(current)}'`];
  const typed = (v: FieldValue | undefined) => (v === undefined ? 'none' : `the value '${valueText(v)}' of type '${typeName(v)}'`);
  return [typed(received), typed(current)];
}

/** RabbitMQ's complaint about an argument of the wrong type: `"expected integer, got longstr"`. */
export const expectedInteger = (v: FieldValue): string => `"expected integer, got ${typeName(v)}"`;
