/**
 * JavaScript shapes of AMQP field-table values. Plain JS values where the wire type follows from the value
 * (string -> 'S', boolean -> 't', integer -> 'I' or 'l', fraction -> 'd', Buffer -> 'x', Date -> 'T'); the
 * classes below keep types that a plain value would lose, so a decoded table re-encodes faithfully.
 */

export class Decimal {
  constructor(
    readonly scale: number,
    readonly value: number,
  ) {}
}

/** A value that must be written with a specific numeric tag (e.g. 'b', 's', 'f', 'l'). */
export class Typed {
  constructor(
    readonly tag: 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'l' | 'f' | 'd',
    readonly value: number | bigint,
  ) {}
  valueOf(): number {
    return Number(this.value);
  }
}

export type FieldValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Buffer
  | Date
  | Decimal
  | Typed
  | FieldValue[]
  | FieldTable;

export interface FieldTable {
  [key: string]: FieldValue;
}

/** Numeric view of a field value (argument parsing): numbers, bigints and typed numbers; otherwise undefined. */
export function numberOf(v: FieldValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Typed) return Number(v.value);
  return undefined;
}

/** String view: strings and byte arrays decoded as UTF-8; otherwise undefined. */
export function stringOf(v: FieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

export function isTable(v: FieldValue | undefined): v is FieldTable {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !Buffer.isBuffer(v) &&
    !(v instanceof Date) &&
    !(v instanceof Decimal) &&
    !(v instanceof Typed)
  );
}

/** Structural equality used for "inequivalent arg" checks and headers-exchange matching. */
export function fieldEquals(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (typeof a === 'string' || Buffer.isBuffer(a)) {
    const sb = stringOf(b);
    return sb !== undefined && stringOf(a) === sb;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Decimal) return b instanceof Decimal && a.scale === b.scale && a.value === b.value;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => fieldEquals(x, b[i]));
  }
  if (isTable(a) && isTable(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => fieldEquals(a[k], b[k]));
  }
  return false;
}

const TYPED_NAMES: Record<Typed['tag'], string> = {
  b: 'byte', B: 'unsignedbyte', s: 'short', u: 'unsignedshort', I: 'signedint', i: 'unsignedint', l: 'long', f: 'float', d: 'double',
};

/** RabbitMQ's name for the field type a value has on the wire (as its errors name it), e.g. 'longstr'. */
export function fieldTypeName(v: FieldValue): string {
  if (typeof v === 'string') return 'longstr';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'number') return !Number.isInteger(v) ? 'double' : v >= -0x8000_0000 && v <= 0x7fff_ffff ? 'signedint' : 'long';
  if (v === null) return 'void';
  if (Buffer.isBuffer(v)) return 'binary';
  if (v instanceof Date) return 'timestamp';
  if (v instanceof Decimal) return 'decimal';
  if (v instanceof Typed) return TYPED_NAMES[v.tag];
  return Array.isArray(v) ? 'array' : 'table';
}
