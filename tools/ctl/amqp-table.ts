import { erlangEscape } from '../../shared/amqp/erlang-term.js';

/**
 * AMQP field tables (arguments, client_properties) as rabbitmqctl 3.10 prints them. A table cell is an
 * Erlang term: `[{"x-max-length",5},{"x-queue-mode","lazy"}]`, `[]` when empty. The JSON formatter gives
 * [name, type, value] triples, and arrays as an object of type: value pairs (Elixir's keyword list, keys
 * repeating). The management API's JSON has no AMQP types, so they are inferred as RabbitMQ infers them
 * from JSON: strings longstr, integers long, other numbers double (a byte or signedint a client sent
 * shows as long, and 2.0 as 2).
 */
type Table = Record<string, unknown>;

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Entries in RabbitMQ's order: queue, exchange and binding arguments are stored sorted by name. */
const entries = (t: Table, sorted: boolean): [string, unknown][] => {
  const e = Object.entries(t);
  return sorted ? e.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : e;
};

/** An Erlang string literal; Erlang's "" is the empty list, printed []. */
function erlangString(s: string): string {
  if (s === '') return '[]';
  return `"${s.replace(/["\\\x00-\x1f\x7f]/g, (c) => erlangEscape(c.charCodeAt(0)))}"`;
}

function term(v: unknown): string {
  if (typeof v === 'string') return erlangString(v);
  if (Array.isArray(v)) return `[${v.map(term).join(',')}]`;
  if (isTable(v)) return tableTerm(v, false);
  return v === null || v === undefined ? 'undefined' : String(v);
}

const tableTerm = (t: Table, sorted: boolean): string => `[${entries(t, sorted).map(([k, v]) => `{${erlangString(k)},${term(v)}}`).join(',')}]`;

function typeOf(v: unknown): string {
  if (typeof v === 'string') return 'longstr';
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return isTable(v) ? 'table' : 'void';
}

function typedValue(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `{${v.map((x) => `${JSON.stringify(typeOf(x))}:${typedValue(x)}`).join(',')}}`;
  if (isTable(v)) return typedTable(v, false);
  return JSON.stringify(v ?? null);
}

const typedTable = (t: Table, sorted: boolean): string => `[${entries(t, sorted).map(([k, v]) => `[${JSON.stringify(k)},"${typeOf(v)}",${typedValue(v)}]`).join(',')}]`;

/** A table cell; a value that is not a table (an older node's list) prints as a term. */
export const tableText = (v: unknown, sorted: boolean): string => (isTable(v) ? tableTerm(v, sorted) : term(v ?? []));

export const tableJson = (v: unknown, sorted: boolean): string => (isTable(v) ? typedTable(v, sorted) : typedValue(v ?? []));
