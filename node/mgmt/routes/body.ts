import { badRequest } from '../http-error.js';

/** A JSON object body, or 400. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body must be a JSON object');
  return body as Record<string, unknown>;
}

export function optionalBool(o: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw badRequest(`${key} must be true or false`);
  return v;
}

export function optionalString(o: Record<string, unknown>, key: string, fallback: string): string {
  return o[key] === undefined ? fallback : stringValue(o, key);
}

/** A key's value, 400 unless it is a string (see requireKeys for the keys a body must have). */
export function stringValue(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
  return v;
}

/** An integer as Erlang's binary_to_integer (and list_to_integer) reads one: an optional sign, then decimal digits; else null. */
export const erlangInteger = (s: string): number | null => (/^[+-]?[0-9]+$/.test(s) ? Number(s) : null);

/** An integer as RabbitMQ's parse_int reads one: a number (truncated) or a string of decimal digits; else 400 `["not_integer", value]`. */
export function integerValue(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v === 'number') return Math.trunc(v);
  const n = typeof v === 'string' ? erlangInteger(v) : null;
  if (n !== null) return n;
  throw badRequest(['not_integer', v ?? null]);
}

/** A required string that must be a valid regular expression (permission patterns), or 400 naming the key. */
export function regexString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw badRequest(`${key} must be a string (a regular expression)`);
  try {
    new RegExp(v);
  } catch (e) {
    throw badRequest(`${key} is not a valid regular expression: ${(e as Error).message}`);
  }
  return v;
}
